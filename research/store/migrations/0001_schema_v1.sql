-- Schema v1: companies, products, prices, accounts, deals, SWOT, capabilities,
-- sources, exchange rates and the audit log.
-- References between tables are declared with `-- @ref table.column -> parent`
-- lines and enforced by the store (research/store/core.py), not by DuckDB foreign keys:
-- DuckDB keeps a deleted child's key in the foreign-key index until commit, so one
-- transaction could not remove rows and then their parent (undo of an import, a
-- demo rebuild), and an indexed update of a referenced row is refused. Uniqueness
-- of names is likewise checked by the store.

-- @ref products.company_id -> companies
-- @ref price_observations.product_id -> products
-- @ref accounts.supplier_company_id -> companies
-- @ref deals.account_id -> accounts
-- @ref deals.competitor_id -> companies
-- @ref swot_items.company_id -> companies
-- @ref swot_items.source_id -> sources
-- @ref capabilities.company_id -> companies
-- @ref capabilities.source_id -> sources

CREATE TABLE workspace_meta (
    key VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);

CREATE SEQUENCE seq_companies;
CREATE TABLE companies (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_companies'),
    name VARCHAR NOT NULL,
    is_us BOOLEAN NOT NULL DEFAULT false,
    website VARCHAR,
    hq_country VARCHAR(2),
    founded SMALLINT,
    employees INTEGER CHECK (employees IS NULL OR employees >= 0),
    revenue_estimate DECIMAL(18, 2),
    revenue_currency VARCHAR(3),
    price_positioning VARCHAR CHECK (price_positioning IS NULL OR price_positioning IN ('budget', 'mid', 'premium')),
    description VARCHAR,
    archived BOOLEAN NOT NULL DEFAULT false,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    updated_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp()
);

CREATE SEQUENCE seq_sources;
CREATE TABLE sources (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_sources'),
    kind VARCHAR NOT NULL DEFAULT 'web' CHECK (kind IN ('web', 'report', 'call', 'trade_fair', 'customer', 'other')),
    title VARCHAR NOT NULL,
    url VARCHAR,
    note VARCHAR,
    published_on DATE,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    updated_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp()
);

CREATE SEQUENCE seq_products;
CREATE TABLE products (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_products'),
    company_id INTEGER NOT NULL,
    name VARCHAR NOT NULL,
    sku VARCHAR,
    category VARCHAR NOT NULL,
    unit VARCHAR NOT NULL,
    list_price DECIMAL(14, 2) CHECK (list_price IS NULL OR list_price >= 0),
    currency VARCHAR(3) NOT NULL,
    url VARCHAR,
    archived BOOLEAN NOT NULL DEFAULT false,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    updated_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp()
);

CREATE SEQUENCE seq_price_observations;
CREATE TABLE price_observations (
    id BIGINT PRIMARY KEY DEFAULT nextval('seq_price_observations'),
    product_id INTEGER NOT NULL,
    observed_at TIMESTAMP NOT NULL,
    price DECIMAL(14, 2) NOT NULL CHECK (price >= 0),
    currency VARCHAR(3) NOT NULL,
    source VARCHAR,
    created_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp()
);

CREATE SEQUENCE seq_accounts;
CREATE TABLE accounts (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_accounts'),
    name VARCHAR NOT NULL,
    vat_id VARCHAR,
    website VARCHAR,
    country VARCHAR(2) NOT NULL,
    region VARCHAR NOT NULL,
    city VARCHAR,
    industry VARCHAR NOT NULL,
    employees INTEGER CHECK (employees IS NULL OR employees >= 0),
    annual_revenue DECIMAL(18, 2) CHECK (annual_revenue IS NULL OR annual_revenue >= 0),
    revenue_currency VARCHAR(3) NOT NULL DEFAULT 'EUR',
    status VARCHAR NOT NULL CHECK (status IN ('customer', 'prospect', 'lost')),
    owner VARCHAR,
    supplier_company_id INTEGER,
    contact_person VARCHAR,
    first_contact DATE,
    archived BOOLEAN NOT NULL DEFAULT false,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    updated_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp()
);

-- Won and lost opportunities: the raw material of win rates per segment.
CREATE SEQUENCE seq_deals;
CREATE TABLE deals (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_deals'),
    account_id INTEGER NOT NULL,
    outcome VARCHAR NOT NULL CHECK (outcome IN ('open', 'won', 'lost')),
    competitor_id INTEGER,
    value DECIMAL(14, 2) CHECK (value IS NULL OR value >= 0),
    currency VARCHAR(3) NOT NULL DEFAULT 'EUR',
    closed_on DATE,
    note VARCHAR,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    updated_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp()
);

CREATE SEQUENCE seq_swot_items;
CREATE TABLE swot_items (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_swot_items'),
    company_id INTEGER NOT NULL,
    quadrant VARCHAR(1) NOT NULL CHECK (quadrant IN ('S', 'W', 'O', 'T')),
    statement VARCHAR NOT NULL,
    impact TINYINT NOT NULL DEFAULT 3 CHECK (impact BETWEEN 1 AND 5),
    confidence VARCHAR NOT NULL DEFAULT 'medium' CHECK (confidence IN ('low', 'medium', 'high')),
    source_id INTEGER,
    source_url VARCHAR,
    source_note VARCHAR,
    observed_on DATE,
    tags VARCHAR[] NOT NULL DEFAULT [],
    author VARCHAR,
    position INTEGER NOT NULL DEFAULT 0,
    archived BOOLEAN NOT NULL DEFAULT false,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    updated_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp()
);

CREATE SEQUENCE seq_capabilities;
CREATE TABLE capabilities (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_capabilities'),
    company_id INTEGER NOT NULL,
    capability VARCHAR NOT NULL,
    score TINYINT NOT NULL CHECK (score BETWEEN 1 AND 5),
    source_id INTEGER,
    note VARCHAR,
    assessed_on DATE,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    updated_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    UNIQUE (company_id, capability)
);

-- Units of the currency per one EUR on a date (EUR itself is 1).
CREATE TABLE exchange_rates (
    currency VARCHAR(3) NOT NULL,
    valid_on DATE NOT NULL,
    per_eur DECIMAL(18, 6) NOT NULL CHECK (per_eur > 0),
    PRIMARY KEY (currency, valid_on)
);

CREATE SEQUENCE seq_audit_log;
CREATE SEQUENCE seq_audit_batch;
CREATE TABLE audit_log (
    id BIGINT PRIMARY KEY DEFAULT nextval('seq_audit_log'),
    batch_id BIGINT NOT NULL,
    changed_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    actor VARCHAR NOT NULL,
    table_name VARCHAR NOT NULL,
    row_id VARCHAR,
    action VARCHAR NOT NULL CHECK (action IN ('insert', 'update', 'delete', 'bulk')),
    before JSON,
    after JSON
);
