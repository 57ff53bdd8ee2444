-- A voting letter carries its link only from the moment it is sent. The outbox keeps the
-- letter with a place for the link and the ballot it is for; the sender mints a token, keeps
-- only its hash in `ballot_voters.link_hash`, and puts the link in the letter as it goes.
-- Until then a voter's `link_hash` is `unsent:{ballot}:{member}`, which no token's hash (64
-- hex digits) can equal: a copy of the database or a backup holds no link that votes.
ALTER TABLE outbox ADD COLUMN ballot_id INTEGER REFERENCES ballots(id);

-- Reminders follow the ballot's timetable, fixed from the constitution when the ballot is
-- created: days before close, comma-separated ('' for none).
ALTER TABLE ballots ADD COLUMN reminder_days TEXT NOT NULL DEFAULT '';

-- Each reminder of the timetable goes once.
CREATE TABLE ballot_reminders (
    ballot_id   INTEGER NOT NULL REFERENCES ballots(id),
    days_before INTEGER NOT NULL CHECK (days_before >= 1),
    sent_at     TEXT NOT NULL,
    reminded    INTEGER NOT NULL CHECK (reminded >= 0),
    event_seq   INTEGER NOT NULL REFERENCES governance_events(seq),
    PRIMARY KEY (ballot_id, days_before)
) WITHOUT ROWID;
CREATE TRIGGER ballot_reminders_kept BEFORE DELETE ON ballot_reminders BEGIN
    SELECT RAISE(ABORT, 'a reminder sent is kept for the record');
END;
CREATE TRIGGER ballot_reminders_fixed BEFORE UPDATE ON ballot_reminders BEGIN
    SELECT RAISE(ABORT, 'a reminder sent is kept as it was');
END;
