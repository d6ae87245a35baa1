-- Private company notes (issue 10): a profile's `notes` (migration 0002) can be marked
-- private like a SWOT item (0010): shown to and exported for `notes_author` and admins
-- only, never on a shared screen, blanked in the query sandbox's snapshot (with the
-- notes in the companies' audit rows). `notes_author` is who last wrote the notes or
-- changed their privacy (an admin editing someone else's private notes keeps their
-- author); research/competitors/profiles.py sets it, and refuses changes to someone
-- else's private notes unless the actor is an admin.
ALTER TABLE companies ADD COLUMN notes_private BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE companies ADD COLUMN notes_author VARCHAR;
