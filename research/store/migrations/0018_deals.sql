-- Deals as a first-class entity, and why they were won or lost (issue 20 items 1 and 2).
--
-- A deal gains its sales stage and owner. Reasons come from a per-workspace list
-- (`deal_reasons`: a code, its names in both languages, an order; archived reasons stay on
-- old deals but are not offered for new ones), seeded with the common ones. A deal has
-- several reasons, each with an optional note (`deal_reason_links`, unique per deal and
-- reason). Win/loss analysis counts deals and their value per reason and competitor.

-- @ref deal_reason_links.deal_id -> deals
-- @ref deal_reason_links.reason_id -> deal_reasons

ALTER TABLE deals ADD COLUMN stage VARCHAR;
ALTER TABLE deals ADD COLUMN owner VARCHAR;

CREATE SEQUENCE seq_deal_reasons;
CREATE TABLE deal_reasons (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_deal_reasons'),
    code VARCHAR NOT NULL UNIQUE,
    label_en VARCHAR NOT NULL,
    label_sr VARCHAR NOT NULL,
    position INTEGER NOT NULL DEFAULT 0,
    archived BOOLEAN NOT NULL DEFAULT false,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    updated_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp()
);

CREATE SEQUENCE seq_deal_reason_links;
CREATE TABLE deal_reason_links (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_deal_reason_links'),
    deal_id INTEGER NOT NULL,
    reason_id INTEGER NOT NULL,
    note VARCHAR,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    updated_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    UNIQUE (deal_id, reason_id)
);

INSERT INTO deal_reasons (code, label_en, label_sr, position) VALUES
    ('price', 'Price', 'Цена', 1),
    ('quality', 'Quality', 'Квалитет', 2),
    ('lead_time', 'Lead time', 'Рок испоруке', 3),
    ('relationship', 'Relationship', 'Однос с купцем', 4),
    ('features', 'Features', 'Функције', 5),
    ('service', 'Service', 'Услуга', 6),
    ('coverage', 'Coverage', 'Покривеност', 7),
    ('other', 'Other', 'Друго', 8);
SELECT setval('seq_deal_reasons', 8);
