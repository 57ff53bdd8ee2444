-- Paper and postal ballots, entered by tellers, so members without a device are not left out.
--
-- Secrecy: a member who votes on paper is marked as having voted (`ballot_voters.voted_at`,
-- and `ballot_paper_voters` with the teller who checked their envelope's declaration) — that
-- they took part, never what they chose. Their ballot paper travels apart from the envelope:
-- tellers enter papers in batches that name no voter, twice, by two tellers on their own;
-- when two entries agree the batch's papers go into `ballot_box` under fresh random trackers
-- like ballots cast online. Nothing here joins a member to a paper.

CREATE TABLE ballot_paper_voters (
    ballot_id INTEGER NOT NULL,
    member_id INTEGER NOT NULL,
    marked_by INTEGER NOT NULL REFERENCES members(id),
    marked_at TEXT NOT NULL,
    PRIMARY KEY (ballot_id, member_id),
    FOREIGN KEY (ballot_id, member_id) REFERENCES ballot_voters(ballot_id, member_id)
) WITHOUT ROWID;

CREATE TABLE paper_batches (
    id           INTEGER PRIMARY KEY,
    ballot_id    INTEGER NOT NULL REFERENCES ballots(id),
    label        TEXT NOT NULL,
    papers       INTEGER NOT NULL CHECK (papers >= 1),
    state        TEXT NOT NULL CHECK (state IN ('entering', 'committed')),
    created_by   INTEGER REFERENCES members(id),
    created_at   TEXT NOT NULL,
    agreed_entry INTEGER,
    spoilt       INTEGER CHECK (spoilt >= 0 AND spoilt <= papers),
    committed_at TEXT,
    event_seq    INTEGER NOT NULL REFERENCES governance_events(seq),
    CHECK ((state = 'committed') = (committed_at IS NOT NULL AND spoilt IS NOT NULL
                                    AND agreed_entry IS NOT NULL))
);
CREATE INDEX paper_batches_ballot ON paper_batches(ballot_id, id);

-- Each teller's entry as they made it: the papers in order (text the app writes and reads).
CREATE TABLE paper_entries (
    id         INTEGER PRIMARY KEY,
    batch_id   INTEGER NOT NULL REFERENCES paper_batches(id),
    teller_id  INTEGER NOT NULL REFERENCES members(id),
    papers     TEXT NOT NULL,
    entered_at TEXT NOT NULL
);
CREATE INDEX paper_entries_batch ON paper_entries(batch_id, id);

CREATE TRIGGER ballot_paper_voters_kept BEFORE DELETE ON ballot_paper_voters BEGIN
    SELECT RAISE(ABORT, 'the record of who took part cannot be removed');
END;
CREATE TRIGGER ballot_paper_voters_fixed BEFORE UPDATE ON ballot_paper_voters BEGIN
    SELECT RAISE(ABORT, 'the record of who took part cannot change');
END;
CREATE TRIGGER paper_entries_kept BEFORE DELETE ON paper_entries BEGIN
    SELECT RAISE(ABORT, 'tellers'' entries are kept for the record');
END;
CREATE TRIGGER paper_entries_fixed BEFORE UPDATE ON paper_entries BEGIN
    SELECT RAISE(ABORT, 'tellers'' entries are kept for the record');
END;
CREATE TRIGGER paper_entries_open BEFORE INSERT ON paper_entries
WHEN (SELECT state FROM paper_batches WHERE id = NEW.batch_id) IS NOT 'entering' BEGIN
    SELECT RAISE(ABORT, 'the batch is already in the box');
END;
CREATE TRIGGER paper_batches_kept BEFORE DELETE ON paper_batches BEGIN
    SELECT RAISE(ABORT, 'batches of papers are kept for the record');
END;
-- A batch changes once: from being entered to committed, with its agreed entry.
CREATE TRIGGER paper_batches_once BEFORE UPDATE ON paper_batches
WHEN OLD.state <> 'entering' OR NEW.state <> 'committed'
    OR NEW.ballot_id <> OLD.ballot_id OR NEW.label <> OLD.label OR NEW.papers <> OLD.papers
    OR NEW.created_at <> OLD.created_at OR NEW.event_seq <> OLD.event_seq
    OR (SELECT batch_id FROM paper_entries WHERE id = NEW.agreed_entry) IS NOT NEW.id BEGIN
    SELECT RAISE(ABORT, 'a batch in the box cannot change');
END;

-- The ballot's trail for its scrutineer: its events but the one per voter.
CREATE INDEX governance_events_trail ON governance_events(subject, seq)
    WHERE kind NOT IN ('ballot.voted', 'ballot.paper_voted');
