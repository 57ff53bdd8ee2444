-- The trigram index no longer holds the email's domain (see charter_store::text::search_text):
-- a domain shared by most members put the same trigrams in nearly every row, so every
-- search containing one walked the whole index. "first last local@domain compact postcode"
-- becomes "first last local@ compact postcode"; a query containing '@' is matched against
-- the email column. The index is rebuilt once instead of row by row through the trigger.
DROP TRIGGER members_search_update;
UPDATE members SET search_text =
    substr(search_text, 1, instr(search_text, '@'))
    || substr(substr(search_text, instr(search_text, '@') + 1),
              instr(substr(search_text, instr(search_text, '@') + 1), ' '))
WHERE instr(search_text, '@') > 0;
INSERT INTO member_search(member_search) VALUES ('rebuild');
CREATE TRIGGER members_search_update AFTER UPDATE OF search_text ON members BEGIN
    INSERT INTO member_search(member_search, rowid, search_text)
        VALUES ('delete', old.id, old.search_text);
    INSERT INTO member_search(rowid, search_text) VALUES (new.id, new.search_text);
END;
