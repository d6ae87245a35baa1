-- Present: named decks (storyboards) of slides, and the decision log taken while presenting.
-- A view slide stores which view it shows (`view`, an id of the Present view registry)
-- and the frozen filter and parameter state it was added with (`params`, JSON); the slide
-- is drawn again from the workspace with exactly those parameters.
-- Decisions link softly to a slide, a competitor and a segment: removing those later
-- keeps the decision (it then says the slide is gone).

-- @ref deck_slides.deck_id -> decks
-- @ref decisions.deck_id -> decks

CREATE SEQUENCE seq_decks;
CREATE TABLE decks (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_decks'),
    name VARCHAR NOT NULL,
    description VARCHAR,
    archived BOOLEAN NOT NULL DEFAULT false,
    created_by VARCHAR,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    updated_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp()
);

CREATE SEQUENCE seq_deck_slides;
CREATE TABLE deck_slides (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_deck_slides'),
    deck_id INTEGER NOT NULL,
    position INTEGER NOT NULL,
    kind VARCHAR NOT NULL CHECK (kind IN ('view', 'text', 'title')),
    title VARCHAR NOT NULL DEFAULT '',
    body VARCHAR NOT NULL DEFAULT '',
    notes VARCHAR NOT NULL DEFAULT '',
    view VARCHAR,
    params JSON NOT NULL DEFAULT '{}',
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    updated_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp()
);

CREATE SEQUENCE seq_decisions;
CREATE TABLE decisions (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_decisions'),
    deck_id INTEGER NOT NULL,
    slide_id INTEGER,
    kind VARCHAR NOT NULL DEFAULT 'decision' CHECK (kind IN ('decision', 'action')),
    text VARCHAR NOT NULL,
    owner VARCHAR,
    due_date DATE,
    status VARCHAR NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'dropped')),
    competitor_id INTEGER,
    segment_id INTEGER,
    created_by VARCHAR,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    updated_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp()
);
