-- Segments: rule-based (a JSON rule tree compiled to a parameterised query) and
-- clustered (a stored member list), with their sizing assumptions; named weight
-- sets of the attractiveness matrix.
-- segment_members.account_id has no @ref on purpose: a clustered segment is a
-- snapshot, and it must not block removing or re-importing accounts (the Data
-- page's undo). Members whose account is gone simply no longer match.

-- @ref segment_members.segment_id -> segments

CREATE SEQUENCE seq_segments;
CREATE TABLE segments (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_segments'),
    name VARCHAR NOT NULL,
    kind VARCHAR NOT NULL DEFAULT 'rule' CHECK (kind IN ('rule', 'cluster')),
    -- rule: {"op": "and"|"or", "items": [...]}; cluster: {"features": [...], "k": n, "cluster": i, ...}
    definition JSON NOT NULL,
    description VARCHAR,
    colour VARCHAR(7) NOT NULL DEFAULT '#5D6D7E',
    -- sizing assumptions: expected annual contract value per account, the serviceable
    -- share of the segment (SAM / TAM), the obtainable share (SOM / SAM), the ± band
    acv DECIMAL(14, 2) CHECK (acv IS NULL OR acv >= 0),
    acv_currency VARCHAR(3) NOT NULL DEFAULT 'EUR',
    sam_share DOUBLE CHECK (sam_share IS NULL OR (sam_share >= 0 AND sam_share <= 1)),
    som_share DOUBLE CHECK (som_share IS NULL OR (som_share >= 0 AND som_share <= 1)),
    sensitivity DOUBLE CHECK (sensitivity IS NULL OR (sensitivity >= 0 AND sensitivity <= 1)),
    archived BOOLEAN NOT NULL DEFAULT false,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    updated_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp()
);

-- Members of clustered segments (rule segments are evaluated live).
CREATE TABLE segment_members (
    segment_id INTEGER NOT NULL,
    account_id INTEGER NOT NULL
);

-- Named factor weights of the GE-McKinsey matrix; every save bumps `version`
-- and the audit log keeps the earlier versions.
CREATE SEQUENCE seq_segment_weight_sets;
CREATE TABLE segment_weight_sets (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_segment_weight_sets'),
    name VARCHAR NOT NULL,
    weights JSON NOT NULL,
    archived BOOLEAN NOT NULL DEFAULT false,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    updated_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp()
);
