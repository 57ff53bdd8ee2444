-- Minutes: drafted by the meeting's officers from what was recorded, editable while a draft,
-- final only when a later meeting of the same body adopts the motion approving them.

CREATE TABLE minutes (
    meeting_id      BIGINT PRIMARY KEY REFERENCES meetings(id),
    text            TEXT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('draft', 'approved')),
    drafted_at      TIMESTAMPTZ NOT NULL,
    drafted_by      BIGINT REFERENCES members(id),
    approval_motion BIGINT REFERENCES motions(id),
    approved_at     TIMESTAMPTZ
);
CREATE UNIQUE INDEX minutes_approval ON minutes(approval_motion) WHERE approval_motion IS NOT NULL;

CREATE FUNCTION minutes_final() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'minutes cannot be removed';
    END IF;
    IF OLD.state = 'approved' THEN
        RAISE EXCEPTION 'approved minutes cannot change';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER minutes_final BEFORE UPDATE OR DELETE ON minutes
    FOR EACH ROW EXECUTE FUNCTION minutes_final();
