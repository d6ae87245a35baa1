-- Names of domain values in both languages (issue 17 item 5).
--
-- Industries, regions, product categories, units, capabilities, feature categories and
-- feature names are the workspace's own text (whatever its CRM export or research wrote),
-- in one language. A row here gives one such value an English and a Serbian name, so a
-- Serbian session shows "Храна и пиће" where the data says "Food & beverage". The stored
-- value stays the key everywhere (rules, filters, saved slides); only what is shown changes.
-- `domain` is one of research/data/labels.py DOMAINS; a missing name falls back to the value.
CREATE SEQUENCE seq_value_labels;
CREATE TABLE value_labels (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_value_labels'),
    domain VARCHAR NOT NULL
        CHECK (domain IN ('industry', 'region', 'category', 'unit', 'capability', 'feature_category', 'feature')),
    value VARCHAR NOT NULL,
    label_en VARCHAR,
    label_sr VARCHAR,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    updated_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    UNIQUE (domain, value)
);
