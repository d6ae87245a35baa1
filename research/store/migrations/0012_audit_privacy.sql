-- Privacy of audit rows (issue 14): an audit row whose before or after value is private
-- (swot_items.private, companies.notes_private) carries the flag and that value's author
-- itself, so it stays private after the item is deleted, undone, archived, made public or
-- restored. The store sets both on every write (Transaction, research/store/core.py, with
-- research.access.audit_privacy_sql); readers apply research.access.visible_audit_log:
-- shown to the author and admins only, never on a shared screen or in the query snapshot.
-- When an item becomes private, its earlier audit rows become private too (its history
-- goes with it, as the rule before this migration did for items private at the time).

ALTER TABLE audit_log ADD COLUMN private BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE audit_log ADD COLUMN private_author VARCHAR;

-- 1. Rows whose own before or after is private (same rule as research.access.audit_privacy_sql).
UPDATE audit_log SET private = true, private_author = CASE
    WHEN table_name = 'swot_items' THEN CASE WHEN coalesce(TRY_CAST(after ->> 'private' AS BOOLEAN), false)
                                             THEN after ->> 'author' ELSE before ->> 'author' END
    WHEN table_name = 'companies' THEN CASE WHEN coalesce(TRY_CAST(after ->> 'notes_private' AS BOOLEAN), false)
                                            THEN after ->> 'notes_author' ELSE before ->> 'notes_author' END
END
WHERE (table_name = 'swot_items' AND (coalesce(TRY_CAST(after ->> 'private' AS BOOLEAN), false)
                                      OR coalesce(TRY_CAST(before ->> 'private' AS BOOLEAN), false)))
   OR (table_name = 'companies' AND (coalesce(TRY_CAST(after ->> 'notes_private' AS BOOLEAN), false)
                                     OR coalesce(TRY_CAST(before ->> 'notes_private' AS BOOLEAN), false)));

-- 2. Earlier rows of an item that became private later: the author of its first later private row.
UPDATE audit_log SET private = true, private_author = later.author
FROM (
    SELECT a.id, arg_min(p.private_author, p.id) AS author
    FROM audit_log a
    JOIN audit_log p ON p.table_name = a.table_name AND p.row_id = a.row_id AND p.id > a.id AND p.private
    WHERE NOT a.private AND a.table_name IN ('swot_items', 'companies')
    GROUP BY a.id
) AS later
WHERE audit_log.id = later.id;

-- 3. Items private now whose privacy was never audited (the rule before this migration).
UPDATE audit_log SET private = true, private_author = s.author
FROM swot_items s
WHERE audit_log.table_name = 'swot_items' AND audit_log.row_id = CAST(s.id AS VARCHAR) AND s.private
  AND NOT audit_log.private;
UPDATE audit_log SET private = true, private_author = c.notes_author
FROM companies c
WHERE audit_log.table_name = 'companies' AND audit_log.row_id = CAST(c.id AS VARCHAR) AND c.notes_private
  AND NOT audit_log.private;
