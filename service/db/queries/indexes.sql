-- Indexes, their members and the funds tracking them.

-- name: by_code
SELECT code, name FROM market_index WHERE code = $1

-- name: tracking_funds
SELECT s.id, s.symbol, s.name, s.type, s.market_class, s.type_source,
       security_listing_exchange(s.id) AS listing_exchange
FROM etf_index e
JOIN security s ON s.id = e.etf_id
WHERE e.index_code = $1
ORDER BY s.symbol


-- name: page
-- $1 after this code (keyset; '' for the first page), $2 rows, $3 membership date. Every index
-- with its members on $3 (index_members: one source per date, migration 0014) and the symbols of
-- the funds tracking it.
SELECT i.code, i.name,
       (SELECT count(*) FROM index_members(i.code, $3))::int AS constituents,
       ARRAY(SELECT s.symbol
             FROM etf_index e JOIN security s ON s.id = e.etf_id
             WHERE e.index_code = i.code
             ORDER BY s.symbol) AS tracking_funds
FROM market_index i
WHERE i.code > $1
ORDER BY i.code
LIMIT $2
