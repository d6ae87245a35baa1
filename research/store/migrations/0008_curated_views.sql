-- Curated query views that follow the capabilities built after 0005:
-- swot_staleness now uses the Competitors page's rule — the evidence date is the
-- observed-on date, else the source's publication date, else the day the item was
-- written; stale after 90 days (VANTAGE_STALE_DAYS's default; a view cannot read
-- settings) — and watcher_changes exposes the collection change log.

CREATE OR REPLACE VIEW swot_staleness AS
SELECT s.id, c.name AS company, c.is_us, s.quadrant, s.statement, s.impact, s.confidence,
       s.observed_on,
       coalesce(s.observed_on, src.published_on, CAST(s.created_at AS DATE)) AS evidence_on,
       date_diff('day', coalesce(s.observed_on, src.published_on, CAST(s.created_at AS DATE)), current_date) AS age_days,
       date_diff('day', coalesce(s.observed_on, src.published_on, CAST(s.created_at AS DATE)), current_date) > 90 AS stale,
       coalesce(src.title, s.source_note) AS source,
       coalesce(src.url, s.source_url) AS source_url
FROM swot_items s
JOIN companies c ON c.id = s.company_id
LEFT JOIN sources src ON src.id = s.source_id
WHERE NOT s.archived AND NOT c.archived;

CREATE VIEW watcher_changes AS
SELECT ch.detected_at, w.id AS watcher_id, coalesce(w.label, w.url) AS watcher, w.url,
       c.name AS company, coalesce(c.is_us, false) AS is_us,
       ch.field, ch.old_value, ch.new_value, ch.change_pct, ch.diff IS NOT NULL AS has_text_diff
FROM changes ch
JOIN watchers w ON w.id = ch.watcher_id
LEFT JOIN companies c ON c.id = w.company_id;
