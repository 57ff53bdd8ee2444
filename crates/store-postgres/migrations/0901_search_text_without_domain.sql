-- The trigram index no longer holds the email's domain (see charter_store::text::search_text):
-- a domain shared by most members put the same trigrams in nearly every row, so every
-- search containing one walked the whole posting lists. "first last local@domain compact
-- postcode" becomes "first last local@ compact postcode"; a query containing '@' is matched
-- against the email column.
UPDATE members SET search_text =
    substr(search_text, 1, strpos(search_text, '@'))
    || substr(substr(search_text, strpos(search_text, '@') + 1),
              strpos(substr(search_text, strpos(search_text, '@') + 1), ' '))
WHERE strpos(search_text, '@') > 0;
