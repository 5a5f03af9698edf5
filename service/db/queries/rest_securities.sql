-- Securities as the REST API shows them.

-- name: share_counts_with_float
-- $1 security ids, $2 date: the latest shares outstanding and float on or before the date, the
-- float through metric_float_base (migration 0010: for an ETF, its shares outstanding), so the
-- rule has one definition.
SELECT s.id AS security_id,
       counts.shares_outstanding,
       metric_float_base(s.type, counts.float_shares, counts.shares_outstanding) AS float_shares
FROM security s
CROSS JOIN LATERAL (
    SELECT (SELECT sc.shares_outstanding FROM share_count sc
            WHERE sc.security_id = s.id AND sc.as_of <= $2 AND sc.shares_outstanding IS NOT NULL
            ORDER BY sc.as_of DESC LIMIT 1) AS shares_outstanding,
           (SELECT sc.float_shares FROM share_count sc
            WHERE sc.security_id = s.id AND sc.as_of <= $2 AND sc.float_shares IS NOT NULL
            ORDER BY sc.as_of DESC LIMIT 1) AS float_shares
) counts
WHERE s.id = ANY($1::bigint[])
