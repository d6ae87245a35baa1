-- Query workbench: saved parameterised queries, per-actor query history, and
-- curated views that make the common questions one short SELECT.
-- The views read schema v1 tables only; prices are converted to EUR with the
-- exchange rate valid on the day of the observation (ASOF join on exchange_rates).

CREATE SEQUENCE seq_saved_queries;
CREATE TABLE saved_queries (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_saved_queries'),
    name VARCHAR NOT NULL,
    description VARCHAR,
    sql VARCHAR NOT NULL,
    -- [{"name": "since", "kind": "date", "default": "2026-08-01", "choices_from": null}, …]
    parameters JSON NOT NULL DEFAULT '[]',
    owner VARCHAR,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    updated_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp()
);

-- Who ran what, per actor; the store keeps the newest 100 per actor. This table is
-- itself a log, so its rows get no audit rows of their own.
CREATE SEQUENCE seq_query_history;
CREATE TABLE query_history (
    id BIGINT PRIMARY KEY DEFAULT nextval('seq_query_history'),
    actor VARCHAR NOT NULL,
    ran_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    sql VARCHAR NOT NULL,
    parameters JSON,
    status VARCHAR NOT NULL CHECK (status IN ('ok', 'refused', 'failed', 'timeout')),
    row_count BIGINT,
    seconds DOUBLE,
    message VARCHAR
);

-- The newest observed price of every product, also in EUR.
CREATE VIEW latest_prices AS
WITH latest AS (
    SELECT product_id,
           max(observed_at) AS observed_at,
           arg_max(price, observed_at) AS price,
           arg_max(currency, observed_at) AS currency
    FROM price_observations
    GROUP BY product_id
)
SELECT p.id AS product_id, p.name AS product, p.sku, p.category, p.unit,
       c.name AS company, c.is_us,
       l.price, l.currency,
       CAST(l.price / coalesce(x.per_eur, CASE WHEN l.currency = 'EUR' THEN 1 END) AS DECIMAL(14, 2)) AS price_eur,
       l.observed_at
FROM latest l
JOIN products p ON p.id = l.product_id
JOIN companies c ON c.id = p.company_id
ASOF LEFT JOIN exchange_rates x ON x.currency = l.currency AND CAST(l.observed_at AS DATE) >= x.valid_on
WHERE NOT p.archived;

-- Per category, month and company: the average observed price in EUR against ours
-- (price_index 100 = our average; below 100 = cheaper than us). Prices are summed per
-- month and currency first and converted with that month's average rate: an equi-join
-- on a few hundred rows instead of a rate lookup per observation (3 s → 0.1 s at scale 100).
CREATE VIEW price_index AS
WITH monthly AS (
    SELECT p.category, c.name AS company, c.is_us,
           CAST(date_trunc('month', po.observed_at) AS DATE) AS month, po.currency,
           sum(po.price) AS price_sum, count(*) AS observations
    FROM price_observations po
    JOIN products p ON p.id = po.product_id
    JOIN companies c ON c.id = p.company_id
    WHERE NOT p.archived
    GROUP BY ALL
),
rates AS (
    SELECT currency, CAST(date_trunc('month', valid_on) AS DATE) AS month, avg(per_eur) AS per_eur
    FROM exchange_rates
    GROUP BY ALL
),
per_company AS (
    SELECT m.category, m.month, m.company, m.is_us,
           sum(m.price_sum / coalesce(r.per_eur, CASE WHEN m.currency = 'EUR' THEN 1 END)) / sum(m.observations) AS avg_price_eur,
           CAST(sum(m.observations) AS BIGINT) AS observations
    FROM monthly m
    LEFT JOIN rates r ON r.currency = m.currency AND r.month = m.month
    GROUP BY ALL
)
SELECT pc.category, pc.month, pc.company, pc.is_us,
       CAST(round(pc.avg_price_eur, 2) AS DOUBLE) AS avg_price_eur,
       CAST(round(us.avg_price_eur, 2) AS DOUBLE) AS our_avg_price_eur,
       CAST(round(100 * pc.avg_price_eur / nullif(us.avg_price_eur, 0), 1) AS DOUBLE) AS price_index,
       pc.observations
FROM per_company pc
LEFT JOIN per_company us ON us.is_us AND us.category = pc.category AND us.month = pc.month;

-- Accounts counted by segment (region, country, industry, status) and who supplies them.
CREATE VIEW accounts_by_segment AS
SELECT a.region, a.country, a.industry, a.status,
       coalesce(c.name, '(unknown)') AS supplier,
       coalesce(c.is_us, false) AS supplier_is_us,
       count(*) AS accounts,
       sum(a.employees) AS employees,
       a.revenue_currency,
       sum(a.annual_revenue) AS annual_revenue
FROM accounts a
LEFT JOIN companies c ON c.id = a.supplier_company_id
WHERE NOT a.archived
GROUP BY ALL;

-- SWOT items with their evidence and how old it is (stale: undated or older than 180 days).
CREATE VIEW swot_staleness AS
SELECT s.id, c.name AS company, c.is_us, s.quadrant, s.statement, s.impact, s.confidence,
       s.observed_on,
       date_diff('day', s.observed_on, current_date) AS age_days,
       s.observed_on IS NULL OR date_diff('day', s.observed_on, current_date) > 180 AS stale,
       coalesce(src.title, s.source_note) AS source,
       coalesce(src.url, s.source_url) AS source_url
FROM swot_items s
JOIN companies c ON c.id = s.company_id
LEFT JOIN sources src ON src.id = s.source_id
WHERE NOT s.archived;
