-- name: by_symbol
-- The security a symbol names now, else the one it named most recently (renamed securities).
SELECT id, symbol, name, type, market_class
FROM (
    SELECT s.id, s.symbol, s.name, s.type, s.market_class, 0 AS rank, 'infinity'::date AS until
    FROM security s
    WHERE s.symbol = $1
    UNION ALL
    SELECT s.id, s.symbol, s.name, s.type, s.market_class, 1, ss.valid_to
    FROM security_symbol ss
    JOIN security s ON s.id = ss.security_id
    WHERE ss.symbol = $1
) candidates
ORDER BY rank, until DESC
LIMIT 1
