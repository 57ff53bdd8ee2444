-- One teller could take a member's vote away by marking them as having voted on paper, with
-- no undo. A mark can now be challenged and reversed before the count, by the ballot's
-- scrutineer or by another teller, with the reason kept on the mark; the mark itself is
-- never changed or removed.
ALTER TABLE ballot_paper_voters ADD COLUMN reversed_by BIGINT REFERENCES members(id);
ALTER TABLE ballot_paper_voters ADD COLUMN reversed_at TIMESTAMPTZ;
ALTER TABLE ballot_paper_voters ADD COLUMN reversal_reason TEXT;
CREATE OR REPLACE FUNCTION ballot_paper_voters_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'the record of who took part cannot be removed';
    END IF;
    IF OLD.reversed_at IS NOT NULL OR NEW.ballot_id <> OLD.ballot_id
        OR NEW.member_id <> OLD.member_id OR NEW.marked_by <> OLD.marked_by
        OR NEW.marked_at <> OLD.marked_at OR NEW.reversed_at IS NULL OR NEW.reversed_by IS NULL
        OR NEW.reversal_reason IS NULL OR NEW.reversed_by = OLD.marked_by THEN
        RAISE EXCEPTION 'a paper mark is kept as made: only its reversal, by someone else, is written once';
    END IF;
    RETURN NEW;
END;
$$;

-- A member's record of taking part changes once more only when their paper mark is
-- reversed: back to not voted, or to the time of their online ballot kept aside.
CREATE OR REPLACE FUNCTION ballot_voters_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'the record of who took part cannot be removed';
    END IF;
    IF NEW.member_id <> OLD.member_id OR NEW.branch_id <> OLD.branch_id
        OR (OLD.voted_at IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM ballot_paper_voters p
            WHERE p.ballot_id = OLD.ballot_id AND p.member_id = OLD.member_id
              AND p.reversed_at IS NOT NULL AND p.marked_at = OLD.voted_at)) THEN
        RAISE EXCEPTION 'a member takes part once';
    END IF;
    RETURN NEW;
END;
$$;

-- The online ballot of a member already marked as voting on paper is kept aside for the
-- scrutineer, not lost: if the mark is reversed it goes into the box under its tracker; at
-- the close it is void. While it waits it is held with its member, as a tendered ballot is;
-- once boxed or void nothing here joins the member to it.
CREATE TABLE ballot_set_aside (
    ballot_id       BIGINT NOT NULL,
    member_id       BIGINT NOT NULL,
    set_aside_at    TIMESTAMPTZ NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('waiting', 'boxed', 'void')),
    tracker         TEXT,
    submission_hash TEXT,
    sealed          TEXT,
    PRIMARY KEY (ballot_id, member_id),
    FOREIGN KEY (ballot_id, member_id) REFERENCES ballot_voters(ballot_id, member_id),
    CHECK ((state = 'waiting') = (tracker IS NOT NULL AND submission_hash IS NOT NULL
                                  AND sealed IS NOT NULL)),
    CHECK (state = 'waiting' OR (tracker IS NULL AND submission_hash IS NULL AND sealed IS NULL))
);
CREATE FUNCTION ballot_set_aside_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'a ballot kept aside is kept for the record';
    END IF;
    IF OLD.state <> 'waiting' OR NEW.member_id <> OLD.member_id
        OR NEW.ballot_id <> OLD.ballot_id OR NEW.set_aside_at <> OLD.set_aside_at THEN
        RAISE EXCEPTION 'a ballot kept aside is decided once';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER ballot_set_aside_guard BEFORE UPDATE OR DELETE ON ballot_set_aside
    FOR EACH ROW EXECUTE FUNCTION ballot_set_aside_guard();
