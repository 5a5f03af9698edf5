-- Ingest runs and the steps every format shares. The staging table is a temporary table named
-- `staging` (ON COMMIT DROP) with the common columns of service/ingest/base.py first.

-- name: applied_run
SELECT id, finished_at
FROM ingest_run
WHERE kind = $1 AND sha256 = $2 AND options = $3 AND status = 'applied'

-- name: lock_file
-- Serialises ingests of the same file (same kind, bytes and options) until the holder commits.
SELECT pg_advisory_xact_lock(hashtextextended($1, 7))

-- name: start_run
INSERT INTO ingest_run (kind, format, file_name, sha256, options, status, started_at)
VALUES ($1, $2, $3, $4, $5, 'applied', $6)
RETURNING id

-- name: finish_run
UPDATE ingest_run
SET rows_read = $2, rows_accepted = $3, rows_rejected = $4, rows_skipped = $5,
    summary = $6, finished_at = now()
WHERE id = $1

-- name: failed_run
INSERT INTO ingest_run (kind, format, file_name, sha256, options, status, rows_read,
                        rows_accepted, rows_rejected, rows_skipped, started_at, finished_at, error)
VALUES ($1, $2, $3, $4, $5, 'failed', $6, 0, $7, $8, $9, now(), $10)
RETURNING id

-- name: bump_versions
UPDATE dataset_version
SET version = version + 1, updated_at = now()
WHERE dataset = ANY($1::text[])
RETURNING dataset, version

-- name: recent_runs
SELECT id, kind, format, file_name, status, rows_read, rows_accepted, rows_rejected, rows_skipped,
       started_at, finished_at, error
FROM ingest_run
ORDER BY id DESC
LIMIT $1

-- name: run_by_id
SELECT id, kind, format, file_name, status, rows_read, rows_accepted, rows_rejected, rows_skipped,
       started_at, finished_at, error
FROM ingest_run
WHERE id = $1

-- name: run_rejects
SELECT line_number, raw, reason
FROM rejected_row
WHERE ingest_run_id = $1
ORDER BY line_number
LIMIT $2

-- name: duplicate_rows
-- Rows of the file naming the same thing as an earlier row (same dedupe_key, which each format
-- builds from what identifies a row, e.g. symbol and date); the first occurrence wins.
SELECT line, raw, first_line
FROM (
    SELECT line, raw,
           first_value(line) OVER (PARTITION BY dedupe_key ORDER BY line) AS first_line
    FROM staging
    WHERE dedupe_key IS NOT NULL
) ranked
WHERE line <> first_line
ORDER BY line

-- name: delete_staged_lines
DELETE FROM staging WHERE line = ANY($1::integer[])

-- name: analyze_staging
-- Temporary tables have no statistics until analysed; the planner needs them for the joins.
-- Only the join columns: statistics on the rest (raw lines) cost time and help no plan.
ANALYZE staging (symbol, ref_date)

-- name: upsert_securities
-- Securities as first seen, and newer descriptive data for known ones. A symbol that a security
-- held in the past (renamed since) is left to resolution below, not created again. A guessed type
-- never replaces a type a source stated, and a stated type replaces a stated one only from a file
-- not older than what is known (a 2016 directory snapshot ingested after a 2025 one does not undo
-- a reused symbol's newer type); older files never overwrite newer names. Rows that would change
-- nothing are filtered out first: ON CONFLICT would lock (and dirty) every one of them.
WITH described AS (
    SELECT DISTINCT ON (symbol)
           symbol, name, market_class, coalesce(sec_type, 'stock') AS type,
           coalesce(type_source, 'guess') AS type_source, ref_date
    FROM staging
    WHERE symbol IS NOT NULL
    ORDER BY symbol, (type_source = 'source') DESC NULLS LAST, ref_date DESC NULLS LAST
),
changes AS (
    SELECT d.*
    FROM described d
    LEFT JOIN security s ON s.symbol = d.symbol
    WHERE CASE
        WHEN s.id IS NULL THEN
            NOT EXISTS (SELECT 1 FROM security_symbol ss WHERE ss.symbol = d.symbol)
        ELSE
            (d.name IS NOT NULL AND d.name IS DISTINCT FROM s.name
             AND (s.info_as_of IS NULL OR d.ref_date >= s.info_as_of))
            OR (d.market_class IS NOT NULL AND d.market_class IS DISTINCT FROM s.market_class
                AND (s.info_as_of IS NULL OR d.ref_date >= s.info_as_of))
            OR (d.type_source = 'source'
                AND (s.type_source = 'guess'
                     OR (s.type <> d.type
                         AND (s.info_as_of IS NULL OR d.ref_date IS NULL
                              OR d.ref_date >= s.info_as_of))))
            OR (s.type_source = 'guess' AND s.type = 'stock' AND d.type = 'etf')
    END
)
INSERT INTO security AS s (symbol, name, market_class, type, type_source, info_as_of)
SELECT symbol, name, market_class, type, type_source, ref_date
FROM changes
ON CONFLICT (symbol) DO UPDATE
SET name = CASE WHEN excluded.name IS NOT NULL
                 AND (s.info_as_of IS NULL OR excluded.info_as_of >= s.info_as_of)
                THEN excluded.name ELSE s.name END,
    market_class = CASE WHEN excluded.market_class IS NOT NULL
                         AND (s.info_as_of IS NULL OR excluded.info_as_of >= s.info_as_of)
                        THEN excluded.market_class ELSE s.market_class END,
    type = CASE WHEN excluded.type_source = 'source'
                     AND (s.type_source = 'guess' OR s.info_as_of IS NULL
                          OR excluded.info_as_of IS NULL OR excluded.info_as_of >= s.info_as_of)
                THEN excluded.type
                WHEN s.type_source = 'guess' AND excluded.type = 'etf' THEN 'etf'
                ELSE s.type END,
    type_source = CASE WHEN excluded.type_source = 'source' THEN 'source' ELSE s.type_source END,
    info_as_of = greatest(s.info_as_of, excluded.info_as_of),
    updated_at = now()
RETURNING (xmax = 0) AS created

-- name: resolve_by_interval
-- The security whose symbol interval holds the row's date (every security has one for its
-- current symbol, from -infinity until renamed).
UPDATE staging st
SET security_id = iv.security_id
FROM security_symbol iv
WHERE iv.symbol = st.symbol
  AND iv.valid_from <= coalesce(st.ref_date, 'infinity'::date)
  AND coalesce(st.ref_date, 'infinity'::date) < iv.valid_to

-- name: resolve_remaining
-- Rows dated outside every interval of their symbol: the security that holds the symbol now, else
-- the last one that held it (history is attached to the company, never split off).
UPDATE staging st
SET security_id = coalesce(
    (SELECT s.id FROM security s WHERE s.symbol = st.symbol),
    (SELECT ss.security_id FROM security_symbol ss WHERE ss.symbol = st.symbol
     ORDER BY ss.valid_to DESC LIMIT 1)
)
WHERE st.security_id IS NULL AND st.symbol IS NOT NULL

-- name: ensure_year_partitions
SELECT ensure_year_partitions($1::regclass, $2, $3)

-- name: ensure_index
-- $1 code, $2 name (NULL: the known name of the code, migration 0014, or none).
INSERT INTO market_index (code, name)
VALUES ($1, coalesce($2, (SELECT k.name FROM known_index k WHERE k.code = $1)))
ON CONFLICT (code) DO UPDATE SET name = coalesce(excluded.name, market_index.name)

-- name: dataset_status
SELECT dataset AS name, version, updated_at FROM dataset_version ORDER BY dataset

-- name: run_counts
-- Runs by kind and status, and when the newest of each finished (for /metrics).
SELECT kind, status, count(*)::int AS runs, max(finished_at) AS last_finished
FROM ingest_run
GROUP BY kind, status
ORDER BY kind, status

-- name: cache_versions
-- What the response cache keys on: every dataset's version and the database's epoch. The
-- epoch is mixed with the database's OID, which every CREATE DATABASE (a copy from a template
-- included) assigns anew and a physical replica shares: two databases that diverged from one
-- copy never key alike.
SELECT dataset AS name, version FROM dataset_version
UNION ALL
SELECT 'epoch', e.epoch # d.oid::bigint
FROM cache_epoch e, pg_database d
WHERE d.datname = current_database()
