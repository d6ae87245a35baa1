-- Competitor profiles and TOWS: extra profile facts on companies, TOWS strategies
-- and the SWOT items each strategy builds on.

-- @ref tows_strategies.company_id -> companies
-- @ref tows_links.strategy_id -> tows_strategies
-- @ref tows_links.swot_item_id -> swot_items

-- Profile facts that are lists (segments, channels, key customers) are kept as lists;
-- `notes` is the team's free text, apart from the public `description`.
ALTER TABLE companies ADD COLUMN segments VARCHAR[] DEFAULT [];
ALTER TABLE companies ADD COLUMN channels VARCHAR[] DEFAULT [];
ALTER TABLE companies ADD COLUMN key_customers VARCHAR[] DEFAULT [];
ALTER TABLE companies ADD COLUMN notes VARCHAR;

-- A TOWS strategy written in a session: `kind` pairs our internal quadrant with an
-- external one (SO, ST, WO, WT); `company_id` is the company whose opportunities and
-- threats it answers (our own company stands for the market as a whole).
CREATE SEQUENCE seq_tows_strategies;
CREATE TABLE tows_strategies (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_tows_strategies'),
    company_id INTEGER NOT NULL,
    kind VARCHAR(2) NOT NULL CHECK (kind IN ('SO', 'ST', 'WO', 'WT')),
    statement VARCHAR NOT NULL,
    owner VARCHAR,
    status VARCHAR NOT NULL DEFAULT 'proposed'
        CHECK (status IN ('proposed', 'agreed', 'in_progress', 'done', 'dropped')),
    position INTEGER NOT NULL DEFAULT 0,
    author VARCHAR,
    archived BOOLEAN NOT NULL DEFAULT false,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    updated_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp()
);

-- Which SWOT items a strategy uses (shown as S2×O1 labels); replaced as a set on save.
CREATE SEQUENCE seq_tows_links;
CREATE TABLE tows_links (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_tows_links'),
    strategy_id INTEGER NOT NULL,
    swot_item_id INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp()
);
