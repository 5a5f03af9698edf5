-- Market-wide screens: every security's point on one date, filtered, ordered and ranked.

-- name: short_interest
-- The short interest screen of settlement date $2 as known on $1 (each security's latest version
-- known by then, view short_interest_point), ranked by the order keys, one page of it.
-- $3 security types (NULL: any), $4 FINRA market classes (NULL: any), $5 index code (NULL: any;
-- members on $2), $6 / $7 lower / upper bounds per numeric field (NULL, or NULL entries: unbounded; a
-- bounded field without a value leaves the row out), $8 flags of which a row needs one (NULL:
-- any), $9 flags a row must not have, $10 order keys (positions in `vals`, up to three),
-- $11 their directions (1 ascending, -1 descending; nulls always last, then symbol), $12 rank to
-- start after (the cursor), $13 rows. The positions of `vals` are those of
-- service.models.SCREEN_FIELDS. `total`: rows passing the filter (all pages).
WITH points AS (
    SELECT DISTINCT ON (p.security_id) p.*
    FROM short_interest_point p
    WHERE p.settlement_date = $2 AND p.known_from <= $1
    ORDER BY p.security_id, p.known_from DESC
),
screened AS (
    SELECT s.id, s.symbol, s.name, s.type, s.market_class, s.type_source,
           p.*, v.vals,
           v.vals[10] AS average_dollar_volume_usd, v.vals[11] AS market_cap_usd,
           v.vals[($10::int[])[1]] * ($11::int[])[1] AS k1,
           v.vals[($10::int[])[2]] * ($11::int[])[2] AS k2,
           v.vals[($10::int[])[3]] * ($11::int[])[3] AS k3
    FROM points p
    JOIN security s ON s.id = p.security_id
    CROSS JOIN LATERAL (
        SELECT ARRAY[
            p.short_interest::float8, p.change::float8, p.change_percent, p.days_to_cover,
            p.short_percent_of_float, p.short_percent_of_shares_outstanding, p.short_value_usd,
            p.close_price, p.average_daily_volume::float8,
            round((p.average_daily_volume * p.close_price)::numeric, 2)::float8,
            round((p.shares_outstanding * p.close_price)::numeric, 2)::float8
        ] AS vals
    ) v
    WHERE ($3::text[] IS NULL OR s.type = ANY($3))
      AND ($4::text[] IS NULL OR s.market_class = ANY($4))
      AND ($5::text IS NULL OR s.id IN (SELECT m.security_id FROM index_members($5, $2) m))
      AND ($8::text[] IS NULL OR p.flags && $8)
      AND ($9::text[] IS NULL OR NOT p.flags && $9)
      AND (($6::float8[] IS NULL AND $7::float8[] IS NULL) OR NOT EXISTS (
          SELECT 1
          FROM unnest(v.vals, $6::float8[], $7::float8[]) AS b (value, low, high)
          WHERE (b.low IS NOT NULL AND (b.value IS NULL OR b.value < b.low))
             OR (b.high IS NOT NULL AND (b.value IS NULL OR b.value > b.high))
      ))
),
ranked AS (
    SELECT *, row_number() OVER (ORDER BY k1 NULLS LAST, k2 NULLS LAST, k3 NULLS LAST, symbol)
                  AS rank,
           count(*) OVER () AS total
    FROM screened
)
SELECT rank, total, average_dollar_volume_usd, market_cap_usd,
       id, symbol, name, type, market_class, type_source,
       security_listing_exchange(id) AS listing_exchange,
       security_id, settlement_date, published_date, short_interest, previous_short_interest,
       change, change_percent, average_daily_volume, days_to_cover, short_percent_of_float,
       short_percent_of_shares_outstanding, short_value_usd, revised, flags, float_shares,
       float_as_of, shares_outstanding, shares_outstanding_as_of, close_price, close_date
FROM ranked
WHERE rank > $12::bigint
ORDER BY rank
LIMIT $13::int
