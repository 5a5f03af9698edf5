-- Securities: lookups and lists.

-- name: by_symbols
-- For each symbol of $1: the security it names now, else the one it named most recently
-- (renamed securities). One round trip for any number of symbols (GraphQL aliases batch here).
SELECT DISTINCT ON (wanted) wanted, id, symbol, name, type, market_class, type_source,
       security_listing_exchange(id) AS listing_exchange
FROM (
    SELECT s.symbol AS wanted, s.id, s.symbol, s.name, s.type, s.market_class, s.type_source,
           0 AS rank, 'infinity'::date AS until
    FROM security s
    WHERE s.symbol = ANY($1::text[])
    UNION ALL
    SELECT ss.symbol, s.id, s.symbol, s.name, s.type, s.market_class, s.type_source, 1,
           ss.valid_to
    FROM security_symbol ss
    JOIN security s ON s.id = ss.security_id
    WHERE ss.symbol = ANY($1::text[])
) candidates
ORDER BY wanted, rank, until DESC

-- name: page
-- $1 search (NULL: any; matches a symbol prefix or a word of the name, case-insensitive),
-- $2 type (NULL: any), $3 index code (NULL: any; members on $4, by the precedence of
-- index_members, migration 0014), $4 membership date,
-- $5 after this symbol (keyset), $6 rows, $7 symbols left out (index levels such as ^RUT: price
-- series stored under a symbol, not securities anyone lists).
SELECT s.id, s.symbol, s.name, s.type, s.market_class, s.type_source,
       security_listing_exchange(s.id) AS listing_exchange
FROM security s
WHERE ($1::text IS NULL
       OR upper(s.symbol) LIKE upper($1) || '%'
       OR s.name ILIKE '%' || $1 || '%')
  AND ($2::text IS NULL OR s.type = $2)
  AND ($3::text IS NULL OR s.id IN (SELECT m.security_id FROM index_members($3, $4) m))
  AND s.symbol > $5
  AND s.symbol <> ALL($7::text[])
ORDER BY s.symbol
LIMIT $6

-- name: count
-- The rows of `page` without keyset and limit ($5: the symbols left out).
SELECT count(*)
FROM security s
WHERE ($1::text IS NULL
       OR upper(s.symbol) LIKE upper($1) || '%'
       OR s.name ILIKE '%' || $1 || '%')
  AND ($2::text IS NULL OR s.type = $2)
  AND ($3::text IS NULL OR s.id IN (SELECT m.security_id FROM index_members($3, $4) m))
  AND s.symbol <> ALL($5::text[])

-- name: share_counts
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
