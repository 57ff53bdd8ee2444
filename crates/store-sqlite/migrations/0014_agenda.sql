-- A meeting's agenda as numbered items, and the papers circulated for them. The officers
-- running the meeting change the items until it starts; then they are fixed. An item taken
-- off the agenda is kept for the record (position NULL, removed_at set), never deleted.
-- Papers are kept whole in the database with their SHA-256, so members can check they hold
-- the same paper; a paper is withdrawn, never deleted or rewritten. Meetings called before
-- this keep their one `agenda` text ("as called"); nothing is converted.

CREATE TABLE agenda_items (
    id          INTEGER PRIMARY KEY,
    meeting_id  INTEGER NOT NULL REFERENCES meetings(id),
    -- 1, 2, 3… in the order taken; NULL once the item is taken off the agenda.
    position    INTEGER CHECK (position IS NULL OR position <> 0),
    title       TEXT NOT NULL,
    description TEXT,
    added_at    TEXT NOT NULL,
    added_by    INTEGER REFERENCES members(id),
    removed_at  TEXT,
    event_seq   INTEGER NOT NULL REFERENCES governance_events(seq),
    CHECK ((position IS NULL) = (removed_at IS NOT NULL))
);
-- Positions are unique among a meeting's items on the agenda (a reorder passes through
-- negative positions, so the index holds at every step).
CREATE UNIQUE INDEX agenda_items_position ON agenda_items(meeting_id, position)
    WHERE position IS NOT NULL;

CREATE TRIGGER agenda_items_removed_final BEFORE UPDATE ON agenda_items
    WHEN OLD.removed_at IS NOT NULL BEGIN
    SELECT RAISE(ABORT, 'an agenda item taken off the agenda is kept as it was');
END;
CREATE TRIGGER agenda_items_meeting_fixed BEFORE UPDATE ON agenda_items
    WHEN NEW.meeting_id IS NOT OLD.meeting_id OR NEW.added_at IS NOT OLD.added_at
        OR NEW.added_by IS NOT OLD.added_by OR NEW.event_seq IS NOT OLD.event_seq BEGIN
    SELECT RAISE(ABORT, 'an agenda item stays with its meeting and its record');
END;
CREATE TRIGGER agenda_items_no_delete BEFORE DELETE ON agenda_items BEGIN
    SELECT RAISE(ABORT, 'agenda items are kept for the record; take one off the agenda instead');
END;

CREATE TABLE agenda_papers (
    id                INTEGER PRIMARY KEY,
    item_id           INTEGER NOT NULL REFERENCES agenda_items(id),
    filename          TEXT NOT NULL,
    content_type      TEXT NOT NULL,
    size              INTEGER NOT NULL,
    -- Lowercase hex SHA-256 of content.
    sha256            TEXT NOT NULL CHECK (length(sha256) = 64),
    content           BLOB NOT NULL,
    circulated_at     TEXT NOT NULL,
    circulated_by     INTEGER REFERENCES members(id),
    withdrawn_at      TEXT,
    withdrawn_by      INTEGER REFERENCES members(id),
    event_seq         INTEGER NOT NULL REFERENCES governance_events(seq),
    CHECK (size = length(content)),
    CHECK (withdrawn_by IS NULL OR withdrawn_at IS NOT NULL)
);
CREATE INDEX agenda_papers_item ON agenda_papers(item_id, id);

-- Only the withdrawal is ever written after a paper is circulated, and only once.
CREATE TRIGGER agenda_papers_content_final BEFORE UPDATE ON agenda_papers
    WHEN NEW.id IS NOT OLD.id OR NEW.item_id IS NOT OLD.item_id
        OR NEW.filename IS NOT OLD.filename OR NEW.content_type IS NOT OLD.content_type
        OR NEW.size IS NOT OLD.size OR NEW.sha256 IS NOT OLD.sha256
        OR NEW.content IS NOT OLD.content OR NEW.circulated_at IS NOT OLD.circulated_at
        OR NEW.circulated_by IS NOT OLD.circulated_by OR NEW.event_seq IS NOT OLD.event_seq BEGIN
    SELECT RAISE(ABORT, 'a circulated paper cannot change; withdraw it and circulate another');
END;
CREATE TRIGGER agenda_papers_withdrawn_final BEFORE UPDATE ON agenda_papers
    WHEN OLD.withdrawn_at IS NOT NULL BEGIN
    SELECT RAISE(ABORT, 'a withdrawn paper is kept as it was');
END;
CREATE TRIGGER agenda_papers_no_delete BEFORE DELETE ON agenda_papers BEGIN
    SELECT RAISE(ABORT, 'papers are kept for the record; withdraw one instead');
END;
