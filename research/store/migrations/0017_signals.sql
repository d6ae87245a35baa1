-- The signal inbox (issue 20 item 3): every detected event becomes one signal that a person
-- triages into the SWOT — accepted as a new item, attached as fresh evidence to an existing
-- one, or dismissed with a reason. Nothing reaches swot_items without that action.
--
-- `source_key` is the event's natural key ("price_observations:812", "changes:55",
-- "deals:17", "swot_items:8@2026-10-01"): generating signals again, or merging the collect
-- inbox twice, inserts nothing new (INSERT … ON CONFLICT DO NOTHING on the UNIQUE below).
-- The evidence is copied into the signal (JSON), so a removed watcher or an edited deal
-- never changes what a signal said; product, watcher and deal ids are soft links.
-- The draft is stored as a catalog key with its parameters, so it reads in the viewer's
-- language: research/signals/drafts.py renders it.
-- A company with signals cannot be deleted (the store names them); archive it instead.

-- @ref signals.company_id -> companies
-- @ref signals.item_id -> swot_items

CREATE SEQUENCE seq_signals;
CREATE TABLE signals (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_signals'),
    kind VARCHAR NOT NULL CHECK (kind IN ('price_move', 'product_added', 'product_removed', 'stock_out',
                                          'page_change', 'lost_deal', 'stale_item')),
    source_key VARCHAR NOT NULL,
    source_table VARCHAR NOT NULL,
    source_id BIGINT NOT NULL,
    occurred_at TIMESTAMP NOT NULL,
    company_id INTEGER,
    product_id INTEGER,
    watcher_id INTEGER,
    source_url VARCHAR,
    evidence JSON NOT NULL,
    draft_quadrant VARCHAR(1) NOT NULL CHECK (draft_quadrant IN ('S', 'W', 'O', 'T')),
    draft_key VARCHAR NOT NULL,
    draft_params JSON NOT NULL,
    -- lost deals: the reasons recorded with the deal (issue 20 item 1), when deals carry them
    reasons JSON,
    status VARCHAR NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'accepted', 'attached', 'dismissed')),
    -- the SWOT item the signal became (accepted) or refreshed (attached)
    item_id INTEGER,
    dismiss_reason VARCHAR,
    decided_by VARCHAR,
    decided_at TIMESTAMP,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    updated_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    UNIQUE (kind, source_key)
);

-- Which events make signals in this workspace, with their settings; a kind without a row
-- uses the defaults of research/signals/rules.py (so a better default reaches every
-- workspace that never changed it). `threshold` is a fraction (price moves: 0.03 = 3 %).
CREATE SEQUENCE seq_signal_rules;
CREATE TABLE signal_rules (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_signal_rules'),
    kind VARCHAR NOT NULL UNIQUE CHECK (kind IN ('price_move', 'product_added', 'product_removed', 'stock_out',
                                                 'page_change', 'lost_deal', 'stale_item')),
    enabled BOOLEAN NOT NULL DEFAULT true,
    threshold DOUBLE CHECK (threshold IS NULL OR (threshold >= 0 AND threshold <= 10)),
    window_days INTEGER NOT NULL DEFAULT 30 CHECK (window_days BETWEEN 1 AND 3660),
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    updated_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp()
);
