-- Data entry and imports: one row per entity import (to notice the same file twice and
-- to list imports with their batch), one row per dataset table, one row per undone batch.
-- The rows themselves are audited like every write (audit_log, one batch per import).

CREATE SEQUENCE seq_data_imports;
CREATE TABLE data_imports (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_data_imports'),
    batch_id BIGINT NOT NULL,
    target VARCHAR NOT NULL,          -- entity name, or ds_<name> for a dataset
    file_name VARCHAR NOT NULL,
    file_sha256 VARCHAR(64) NOT NULL,
    mode VARCHAR NOT NULL CHECK (mode IN ('append', 'upsert', 'replace')),
    inserted INTEGER NOT NULL DEFAULT 0,
    updated INTEGER NOT NULL DEFAULT 0,
    actor VARCHAR NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    updated_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp()
);

-- A batch undone by a later batch: undoing it twice is refused.
CREATE TABLE data_undos (
    batch_id BIGINT PRIMARY KEY,
    undo_batch_id BIGINT NOT NULL,
    actor VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp()
);
