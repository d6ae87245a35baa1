-- At most one company is ours (issue 14, finding 8): an import with an `is_us` column made
-- three, and every comparison that indexes by "our" row crashed. Imports and the grid no
-- longer write the flag (research/data/entities.py); `profiles.set_our_company` moves it.
--
-- DuckDB 2.0.1 has no partial indexes (`CREATE UNIQUE INDEX … WHERE is_us` is "not
-- implemented"), so the index is on an expression that is true for our company and NULL
-- for every other one: NULLs never collide in a unique index. Only `is_us` is indexed, so
-- ordinary edits (name, archive, notes) stay in-place updates; changing `is_us` becomes a
-- delete + insert inside DuckDB, harmless here because references are checked by the store,
-- not by DuckDB foreign keys (0001), and moving the flag clears the old row first.
--
-- A workspace that already holds several: the first one (lowest id, the one `our_company()`
-- and `info` already showed) stays ours, the others become competitors, and one audit row
-- names them. The store backs the workspace up before this migration runs.
--
-- The one migration that commits in the middle: DuckDB refuses `CREATE INDEX` in a
-- transaction that has updated the table ("Cannot create index with outstanding updates"),
-- and an index built in the same transaction as a delete still sees the deleted rows. The
-- first part is safe on its own (one "us" is what the app expects, and it does nothing the
-- second time), so if the index fails or the process dies in between, the next open runs
-- this file again and finishes it.

INSERT INTO audit_log (batch_id, actor, table_name, row_id, action, before, after)
SELECT nextval('seq_audit_batch'), 'migration 0013', 'companies', NULL, 'bulk',
       json_object('ours', list(name ORDER BY id)),
       json_object('ours', list(name ORDER BY id)[1], 'made_competitors', list(name ORDER BY id)[2:])
FROM companies
WHERE is_us
HAVING count(*) > 1;

UPDATE companies
SET is_us = false, version = version + 1, updated_at = current_localtimestamp()
WHERE is_us AND id > (SELECT min(id) FROM companies WHERE is_us);

COMMIT;
BEGIN TRANSACTION;

CREATE UNIQUE INDEX companies_one_us ON companies ((CASE WHEN is_us THEN true END));
