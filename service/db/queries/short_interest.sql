-- Short interest as known on a date: the version of each settlement date with the latest
-- known_from on or before that date, with its metrics (table short_interest_point, migration 0026).
-- {ShortInterestPoint} is the columns of service.models.ShortInterestPoint in its field order,
-- expanded when the file is loaded (service/db/queries.py): a field is listed once, on the model.

-- name: series
-- $1 security id, $2 known on, $3 from, $4 to, $5 after this settlement date (keyset),
-- $6 rows to return (the caller asks one more to learn whether a next page exists).
SELECT DISTINCT ON (settlement_date)
       {ShortInterestPoint}
FROM short_interest_point
WHERE security_id = $1
  AND known_from <= $2
  AND settlement_date BETWEEN $3 AND $4
  AND settlement_date > $5
ORDER BY settlement_date, known_from DESC
LIMIT $6

-- name: series_count
SELECT count(DISTINCT settlement_date)
FROM short_interest
WHERE security_id = $1 AND known_from <= $2 AND settlement_date BETWEEN $3 AND $4

-- name: latest
-- $1 security ids, $2 known on: each security's newest settlement date known by then.
SELECT p.*
FROM unnest($1::bigint[]) AS ids (id)
CROSS JOIN LATERAL (
    SELECT {ShortInterestPoint}
    FROM short_interest_point
    WHERE security_id = ids.id AND known_from <= $2
    ORDER BY settlement_date DESC, known_from DESC
    LIMIT 1
) p

-- name: latest_settlement
-- $1 known on: the newest settlement date published by then (the screens' default date).
SELECT max(settlement_date) FROM short_interest WHERE known_from <= $1

-- name: any
-- Whether any short interest is stored (`shortflow demo --if-empty`).
SELECT EXISTS (SELECT 1 FROM short_interest)

-- name: by_symbol
-- The security $1 names (the one it names now, else the one it named most recently, as
-- securities.by_symbols) and points of it, in one round trip. $7 false: the rows of `series`
-- ($2 known on, $3 from, $4 to, $5 after, $6 rows), for `security(symbol) { shortInterest }`;
-- $7 true: its newest point known on $2 (`latest`; $3 to $6 unused), for
-- `security(symbol) { latestShortInterest }`. The columns of service.models.Security, then
-- those of `series`: one row per point; a security without points is one row with null point
-- columns, an unknown symbol no row. MATERIALIZED: the security's columns (its listing
-- exchange a function of it) are computed once, not per point; the branch $7 leaves out is
-- not run.
WITH found AS MATERIALIZED (
    SELECT s.id, s.symbol, s.name, s.type, s.market_class, s.type_source,
           security_listing_exchange(s.id) AS listing_exchange
    FROM security s
    WHERE s.id = coalesce(
        (SELECT id FROM security WHERE symbol = $1),
        (SELECT security_id FROM security_symbol WHERE symbol = $1 ORDER BY valid_to DESC LIMIT 1)
    )
)
SELECT f.*, p.*
FROM found f
LEFT JOIN LATERAL (
    (SELECT DISTINCT ON (settlement_date)
            {ShortInterestPoint}
     FROM short_interest_point
     WHERE NOT $7::boolean
       AND security_id = f.id
       AND known_from <= $2
       AND settlement_date BETWEEN $3 AND $4
       AND settlement_date > $5
     ORDER BY settlement_date, known_from DESC
     LIMIT $6)
    UNION ALL
    (SELECT {ShortInterestPoint}
     FROM short_interest_point
     WHERE $7 AND security_id = f.id AND known_from <= $2
     ORDER BY settlement_date DESC, known_from DESC
     LIMIT 1)
) p ON true
ORDER BY p.settlement_date
