-- One teller could take a member's vote away by marking them as having voted on paper, with
-- no undo. A mark can now be challenged and reversed before the count, by the ballot's
-- scrutineer or by another teller, with the reason kept on the mark; the mark itself is
-- never changed or removed.
ALTER TABLE ballot_paper_voters ADD COLUMN reversed_by INTEGER REFERENCES members(id);
ALTER TABLE ballot_paper_voters ADD COLUMN reversed_at TEXT;
ALTER TABLE ballot_paper_voters ADD COLUMN reversal_reason TEXT;
DROP TRIGGER ballot_paper_voters_fixed;
CREATE TRIGGER ballot_paper_voters_fixed BEFORE UPDATE ON ballot_paper_voters
WHEN OLD.reversed_at IS NOT NULL OR NEW.ballot_id <> OLD.ballot_id
    OR NEW.member_id <> OLD.member_id OR NEW.marked_by <> OLD.marked_by
    OR NEW.marked_at <> OLD.marked_at OR NEW.reversed_at IS NULL OR NEW.reversed_by IS NULL
    OR NEW.reversal_reason IS NULL OR NEW.reversed_by = OLD.marked_by BEGIN
    SELECT RAISE(ABORT, 'a paper mark is kept as made: only its reversal, by someone else, is written once');
END;

-- A member's record of taking part changes once more only when their paper mark is
-- reversed: back to not voted, or to the time of their online ballot kept aside.
DROP TRIGGER ballot_voters_once;
CREATE TRIGGER ballot_voters_once BEFORE UPDATE ON ballot_voters
WHEN NEW.member_id <> OLD.member_id OR NEW.branch_id <> OLD.branch_id
    OR (OLD.voted_at IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM ballot_paper_voters p
        WHERE p.ballot_id = OLD.ballot_id AND p.member_id = OLD.member_id
          AND p.reversed_at IS NOT NULL AND p.marked_at = OLD.voted_at)) BEGIN
    SELECT RAISE(ABORT, 'a member takes part once');
END;

-- The online ballot of a member already marked as voting on paper is kept aside for the
-- scrutineer, not lost: if the mark is reversed it goes into the box under its tracker; at
-- the close it is void. While it waits it is held with its member, as a tendered ballot is;
-- once boxed or void nothing here joins the member to it.
CREATE TABLE ballot_set_aside (
    ballot_id       INTEGER NOT NULL,
    member_id       INTEGER NOT NULL,
    set_aside_at    TEXT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('waiting', 'boxed', 'void')),
    tracker         TEXT,
    submission_hash TEXT,
    sealed          TEXT,
    PRIMARY KEY (ballot_id, member_id),
    FOREIGN KEY (ballot_id, member_id) REFERENCES ballot_voters(ballot_id, member_id),
    CHECK ((state = 'waiting') = (tracker IS NOT NULL AND submission_hash IS NOT NULL
                                  AND sealed IS NOT NULL)),
    CHECK (state = 'waiting' OR (tracker IS NULL AND submission_hash IS NULL AND sealed IS NULL))
) WITHOUT ROWID;
CREATE TRIGGER ballot_set_aside_kept BEFORE DELETE ON ballot_set_aside BEGIN
    SELECT RAISE(ABORT, 'a ballot kept aside is kept for the record');
END;
CREATE TRIGGER ballot_set_aside_once BEFORE UPDATE ON ballot_set_aside
WHEN OLD.state <> 'waiting' OR NEW.member_id <> OLD.member_id
    OR NEW.ballot_id <> OLD.ballot_id OR NEW.set_aside_at <> OLD.set_aside_at BEGIN
    SELECT RAISE(ABORT, 'a ballot kept aside is decided once');
END;
