-- Office holdings brought in by `charter import` are the organisation's past, recorded from
-- its old register: `imported_from` names the file and the day ("offices.csv, imported
-- 2026-12-01") so a unit's page can say where a holding came from. NULL for holdings made in
-- Charter (founding, appointment, election). An imported holding always has its end: a
-- current officer takes office by the constitution's procedure, never by an import.
ALTER TABLE office_terms ADD COLUMN imported_from TEXT
    CHECK (imported_from IS NULL OR ends_on IS NOT NULL);
