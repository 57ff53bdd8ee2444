-- Procedure at a meeting: a procedural motion or a rescission names the motion it acts on;
-- late business is an emergency motion, taken only once admitted by a vote; an adopted
-- procedural motion sets its target aside (next business, referred back, rescinded) or
-- adjourns the meeting. Each effect names the motion that had it.

ALTER TABLE motions ADD COLUMN target_id INTEGER REFERENCES motions(id);
ALTER TABLE motions ADD COLUMN emergency INTEGER NOT NULL DEFAULT 0 CHECK (emergency IN (0, 1));
ALTER TABLE motions ADD COLUMN admitted_by INTEGER REFERENCES motions(id);
ALTER TABLE motions ADD COLUMN set_aside_by INTEGER REFERENCES motions(id);
ALTER TABLE meetings ADD COLUMN adjourned_by INTEGER REFERENCES motions(id);
CREATE INDEX motions_target ON motions(target_id);
