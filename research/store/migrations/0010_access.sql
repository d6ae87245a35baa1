-- Access: role assignments managed by admins in the app, and private SWOT items.
-- A rule's `pattern` is an e-mail address or an @domain, stored lower-case; its
-- uniqueness is checked by research/access/roles.py (see 0001 on why not by DuckDB).
-- Roles in `.streamlit/secrets.toml` ([vantage.roles]) apply as well; an exact
-- address rule wins over a domain rule (research/access/__init__.py, resolve_role).

CREATE SEQUENCE seq_user_roles;
CREATE TABLE user_roles (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_user_roles'),
    pattern VARCHAR NOT NULL,
    role VARCHAR NOT NULL CHECK (role IN ('viewer', 'editor', 'admin')),
    note VARCHAR,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    updated_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp()
);

-- A private SWOT item is shown to and exported for its author and admins only, and
-- never on a shared screen (presentation mode, decks). `author` exists since 0001.
ALTER TABLE swot_items ADD COLUMN private BOOLEAN DEFAULT false;
UPDATE swot_items SET private = false WHERE private IS NULL;
