-- Presenter view (issue 17): the slide each deck is on while it is presented, so a presenter
-- window and the audience window (two browser sessions, possibly two machines) move together.
-- One row per deck, written by research/present/session.py: `slide` is the position on screen
-- (from 1), `step` counts every move (a window follows a change of step, so stepping back to
-- the same slide is followed too), `started_at` is when the session started (the presenter's
-- clock). Starting a session is an audited write; each Previous/Next only moves this pointer
-- (see session.py on why a step is not an audit row).

-- @ref deck_sessions.deck_id -> decks

CREATE SEQUENCE seq_deck_sessions;
CREATE TABLE deck_sessions (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_deck_sessions'),
    deck_id INTEGER NOT NULL UNIQUE,
    slide INTEGER NOT NULL DEFAULT 1 CHECK (slide >= 1),
    step BIGINT NOT NULL DEFAULT 0,
    started_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    started_by VARCHAR,
    updated_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    updated_by VARCHAR
);
