-- Index membership intervals from an index-members file (index_code, valid_from, valid_to
-- exclusive or NULL for open-ended, weight).

-- name: staged_indexes
SELECT DISTINCT index_code FROM staging ORDER BY 1

-- name: upsert_members
-- $1 run id. A row for the same index, security and start date updates the end and weight.
INSERT INTO index_membership AS m (index_code, security_id, valid_from, valid_to, weight, source,
                                   ingest_run_id)
SELECT index_code, security_id, valid_from, coalesce(valid_to, 'infinity'), weight, 'members', $1
FROM staging
ON CONFLICT (index_code, source, security_id, valid_from) DO UPDATE
SET valid_to = excluded.valid_to, weight = excluded.weight, ingest_run_id = excluded.ingest_run_id
WHERE (m.valid_to, m.weight) IS DISTINCT FROM (excluded.valid_to, excluded.weight)
