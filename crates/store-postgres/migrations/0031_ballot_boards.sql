-- The bulletin board of a verifiable ballot: the public documents of its key ceremony, its
-- frozen credentials, and after the close its shuffles and decryption shares, each as the
-- JSON its author sent. The encrypted ballots themselves stay in `ballot_box`. Items are
-- appended, never changed or removed; each author posts each kind of document once.
CREATE TABLE ballot_board (
    ballot_id BIGINT NOT NULL REFERENCES ballots(id),
    seq       BIGINT NOT NULL,
    kind      TEXT NOT NULL CHECK (kind IN ('setup', 'trustee', 'identity', 'dealing',
                  'report', 'credentials', 'shuffle', 'share', 'tally')),
    -- The trustee's number (1..n) for a trustee's document; 0 for the ballot's own.
    trustee   INTEGER NOT NULL CHECK (trustee >= 0),
    -- Who posted it; for an appointment, the member appointed.
    member_id BIGINT REFERENCES members(id),
    body      TEXT NOT NULL,
    posted_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (ballot_id, seq),
    UNIQUE (ballot_id, kind, trustee)
);

CREATE OR REPLACE FUNCTION ballot_board_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the board is never rewritten';
END;
$$;
CREATE TRIGGER ballot_board_kept BEFORE UPDATE OR DELETE ON ballot_board
    FOR EACH ROW EXECUTE FUNCTION ballot_board_guard();
