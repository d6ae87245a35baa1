-- Web collection: watchers (what to fetch and how to read it), snapshots (one per
-- watcher per run: what came back and what was extracted) and changes (what moved).
-- A watcher's last status is its newest snapshot's status: runs never edit the
-- watcher row, so a person editing it is never in conflict with a running collect.
-- Snapshots are unique per (run_id, watcher_id): merging a cron run's inbox file
-- twice records it once.

-- @ref watchers.company_id -> companies
-- @ref watchers.product_id -> products
-- @ref snapshots.watcher_id -> watchers
-- @ref changes.watcher_id -> watchers
-- @ref changes.snapshot_id -> snapshots

CREATE SEQUENCE seq_watchers;
CREATE TABLE watchers (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_watchers'),
    url VARCHAR NOT NULL,
    label VARCHAR,
    company_id INTEGER,
    product_id INTEGER,
    kind VARCHAR NOT NULL DEFAULT 'product' CHECK (kind IN ('product', 'selectors', 'listing', 'text')),
    -- [{"name", "css", "attr", "regex", "type"}, ...] for selectors and listing watchers
    fields JSON,
    item_selector VARCHAR,
    -- CSS selectors removed before extracting and comparing (cookie banners, clocks)
    ignore_selectors VARCHAR[] NOT NULL DEFAULT [],
    -- a price move smaller than this (in percent) is not a change
    min_change_pct DECIMAL(6, 2) NOT NULL DEFAULT 0 CHECK (min_change_pct >= 0),
    schedule VARCHAR NOT NULL DEFAULT 'daily' CHECK (schedule IN ('manual', 'hourly', 'daily', 'weekly')),
    enabled BOOLEAN NOT NULL DEFAULT true,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    updated_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp()
);

CREATE SEQUENCE seq_snapshots;
CREATE TABLE snapshots (
    id BIGINT PRIMARY KEY DEFAULT nextval('seq_snapshots'),
    watcher_id INTEGER NOT NULL,
    run_id VARCHAR NOT NULL,
    fetched_at TIMESTAMP NOT NULL,
    status VARCHAR NOT NULL CHECK (status IN ('new', 'changed', 'unchanged', 'blocked', 'error', 'skipped')),
    http_status SMALLINT,
    final_url VARCHAR,
    content_hash VARCHAR,
    etag VARCHAR,
    last_modified VARCHAR,
    -- extracted values: {"name":…, "price":"1299.00", …} or {"items": [...]} or {"text_hash": …}
    extracted JSON,
    -- zlib-compressed visible text, for text diffs of whole-page watchers
    page_text BLOB,
    message VARCHAR,
    elapsed_ms INTEGER,
    created_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    UNIQUE (run_id, watcher_id)
);

CREATE SEQUENCE seq_changes;
CREATE TABLE changes (
    id BIGINT PRIMARY KEY DEFAULT nextval('seq_changes'),
    watcher_id INTEGER NOT NULL,
    snapshot_id BIGINT NOT NULL,
    detected_at TIMESTAMP NOT NULL,
    field VARCHAR NOT NULL,
    old_value VARCHAR,
    new_value VARCHAR,
    change_pct DOUBLE,
    diff VARCHAR
);
