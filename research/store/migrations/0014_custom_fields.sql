-- Custom fields (issue 15): columns a workspace adds to accounts, companies or products.
--
-- A custom field is a real typed column of its table (`ALTER TABLE accounts ADD COLUMN
-- ticker VARCHAR`), so every reader that already takes the table's rows (the grid, the
-- audit log's before/after images, undo, the query snapshot, rules and clustering) sees it
-- like a built-in column, and a rule over it is a plain column scan. This table says what
-- each added column is: its kind (int, number, money, percent, text, choice, date, yes/no),
-- its names in both languages and, for a choice, the allowed values. research/data/fields.py
-- owns both the column and this row and changes them in one transaction (docs/SCHEMA.md).
CREATE SEQUENCE seq_custom_fields;
CREATE TABLE custom_fields (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_custom_fields'),
    entity VARCHAR NOT NULL CHECK (entity IN ('accounts', 'companies', 'products')),
    name VARCHAR NOT NULL,
    kind VARCHAR NOT NULL CHECK (kind IN ('int', 'number', 'money', 'percent', 'text', 'choice', 'date', 'bool')),
    label_en VARCHAR NOT NULL,
    label_sr VARCHAR NOT NULL,
    choices VARCHAR[] NOT NULL DEFAULT [],
    position INTEGER NOT NULL DEFAULT 0,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    updated_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    UNIQUE (entity, name)
);

-- A dataset linked to accounts (issue 15 item 3): chosen columns of a `ds_*` table are copied
-- into account custom fields, matched by a key (the dataset's `dataset_key` column equals the
-- accounts' `account_key` column, text compared trimmed and case-insensitively). `columns` is
-- [{"source": dataset column, "field": custom field name}]. research/data/links.py fills the
-- fields and refreshes them after the dataset is imported again.
CREATE SEQUENCE seq_dataset_links;
CREATE TABLE dataset_links (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_dataset_links'),
    dataset VARCHAR NOT NULL UNIQUE,
    dataset_key VARCHAR NOT NULL,
    account_key VARCHAR NOT NULL,
    columns JSON NOT NULL,
    matched INTEGER,
    unmatched INTEGER,
    refreshed_at TIMESTAMP,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    updated_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp()
);
