-- Feature comparison: features grouped by category, and each company's value for
-- each feature (yes / partial / no / unknown) with an optional note and source.
-- A missing company_features row means "unknown"; it is never read as "no".
-- `product_category` optionally ties a feature to a product category (products.category)
-- so the matrix can be filtered by the catalogue area it belongs to.

-- @ref company_features.feature_id -> features
-- @ref company_features.company_id -> companies
-- @ref company_features.source_id -> sources

CREATE SEQUENCE seq_features;
CREATE TABLE features (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_features'),
    name VARCHAR NOT NULL,
    category VARCHAR NOT NULL,
    product_category VARCHAR,
    description VARCHAR,
    position INTEGER NOT NULL DEFAULT 0,
    archived BOOLEAN NOT NULL DEFAULT false,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    updated_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp()
);

CREATE SEQUENCE seq_company_features;
CREATE TABLE company_features (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_company_features'),
    feature_id INTEGER NOT NULL,
    company_id INTEGER NOT NULL,
    value VARCHAR NOT NULL DEFAULT 'unknown' CHECK (value IN ('yes', 'partial', 'no', 'unknown')),
    note VARCHAR,
    source_id INTEGER,
    source_url VARCHAR,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    updated_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp()
);
