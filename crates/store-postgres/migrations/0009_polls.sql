-- Electronic votes on a motion, taken from members checked in at the meeting: a poll opened
-- by the meeting's officers, named (each voter's choice kept) or secret (the voter kept so
-- nobody votes twice, the choice only counted). A secret vote is never stored with its voter.

CREATE TABLE motion_polls (
    motion_id BIGINT PRIMARY KEY REFERENCES motions(id),
    mode      TEXT NOT NULL CHECK (mode IN ('named', 'secret')),
    opened_at TIMESTAMPTZ NOT NULL,
    opened_by BIGINT REFERENCES members(id),
    closed_at TIMESTAMPTZ,
    event_seq BIGINT NOT NULL REFERENCES governance_events(seq)
);

-- One row per voter. `submission` is the voter's idempotency key: sending the same vote again
-- is answered "already recorded" and counts nothing. `choice` is kept only in named polls.
CREATE TABLE poll_voters (
    motion_id  BIGINT NOT NULL REFERENCES motion_polls(motion_id),
    member_id  BIGINT NOT NULL REFERENCES members(id),
    submission TEXT NOT NULL,
    choice     TEXT CHECK (choice IN ('for', 'against', 'abstain')),
    cast_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (motion_id, member_id)
);

CREATE TABLE poll_tallies (
    motion_id BIGINT NOT NULL REFERENCES motion_polls(motion_id),
    choice    TEXT NOT NULL CHECK (choice IN ('for', 'against', 'abstain')),
    votes     BIGINT NOT NULL,
    PRIMARY KEY (motion_id, choice)
);

CREATE FUNCTION poll_voters_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    poll_mode TEXT;
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'a vote once cast cannot be removed';
    ELSIF TG_OP = 'UPDATE' THEN
        RAISE EXCEPTION 'a vote once cast cannot change';
    END IF;
    SELECT mode INTO poll_mode FROM motion_polls WHERE motion_id = NEW.motion_id;
    IF poll_mode = 'secret' AND NEW.choice IS NOT NULL THEN
        RAISE EXCEPTION 'a secret vote is never stored with its voter';
    ELSIF poll_mode = 'named' AND NEW.choice IS NULL THEN
        RAISE EXCEPTION 'a named vote keeps its choice';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER poll_voters_guard BEFORE INSERT OR UPDATE OR DELETE ON poll_voters
    FOR EACH ROW EXECUTE FUNCTION poll_voters_guard();

CREATE FUNCTION poll_tallies_closed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (SELECT closed_at FROM motion_polls WHERE motion_id = NEW.motion_id) IS NOT NULL THEN
        RAISE EXCEPTION 'a closed poll''s count cannot change';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER poll_tallies_closed BEFORE UPDATE ON poll_tallies
    FOR EACH ROW EXECUTE FUNCTION poll_tallies_closed();
