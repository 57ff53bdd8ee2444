-- Composite motions: several motions on one subject merged into one wording, proposed by the
-- officers running the meeting and formed only when every mover consents. Forming it adds the
-- composite as a motion (moved by the first mover, seconded by the second) and sets the parts
-- aside, all in one transaction; a mover's refusal drops it and frees the parts.

CREATE TABLE composites (
    id          BIGSERIAL PRIMARY KEY,
    meeting_id  BIGINT NOT NULL REFERENCES meetings(id),
    title       TEXT NOT NULL,
    text        TEXT NOT NULL,
    proposed_by BIGINT REFERENCES members(id),
    proposed_at TIMESTAMPTZ NOT NULL,
    state       TEXT NOT NULL CHECK (state IN ('pending', 'formed', 'declined')),
    motion_id   BIGINT REFERENCES motions(id),
    event_seq   BIGINT NOT NULL REFERENCES governance_events(seq)
);
CREATE INDEX composites_meeting ON composites(meeting_id);

CREATE TABLE composite_parts (
    composite_id BIGINT NOT NULL REFERENCES composites(id),
    motion_id    BIGINT NOT NULL REFERENCES motions(id),
    position     INTEGER NOT NULL,
    consented_by BIGINT REFERENCES members(id),
    consented_at TIMESTAMPTZ,
    PRIMARY KEY (composite_id, motion_id)
);
CREATE INDEX composite_parts_motion ON composite_parts(motion_id);

CREATE FUNCTION composites_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'composites are kept for the record';
    END IF;
    IF TG_TABLE_NAME = 'composites' AND OLD.state <> 'pending' THEN
        RAISE EXCEPTION 'a formed or declined composite cannot change';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER composites_kept BEFORE UPDATE OR DELETE ON composites
    FOR EACH ROW EXECUTE FUNCTION composites_kept();
CREATE TRIGGER composite_parts_kept BEFORE DELETE ON composite_parts
    FOR EACH ROW EXECUTE FUNCTION composites_kept();
