-- Self check-in needs the meeting's code, read out or shown at the meeting (or carried in its
-- check-in link), so a member on the roll cannot be marked present from elsewhere. Kept out of
-- the meeting's ordinary reads; meetings called before this have none until an officer makes one.
ALTER TABLE meetings ADD COLUMN check_in_code TEXT;
