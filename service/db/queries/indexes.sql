-- Indexes, their members and the funds tracking them.

-- name: by_code
SELECT code, name FROM market_index WHERE code = $1

-- name: tracking_funds
SELECT s.id, s.symbol, s.name, s.type, s.market_class
FROM etf_index e
JOIN security s ON s.id = e.etf_id
WHERE e.index_code = $1
ORDER BY s.symbol

-- name: latest_membership_date
-- The newest date membership is defined for (the default date of "constituents").
SELECT max(valid_from) FROM index_membership WHERE index_code = $1
