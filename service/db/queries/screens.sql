-- Market-wide screens: every security's point on one date, filtered, ordered and ranked.

-- name: short_interest
-- The short interest screen of settlement date $2 as known on $1 (each security's latest version
-- known by then, table short_interest_point), ranked by the order keys, one page of it.
-- $3 security types (NULL: any), $4 FINRA market classes (NULL: any), $5 index code (NULL: any;
-- members on $2), $6 / $7 lower / upper bounds per numeric field (NULL, or NULL entries: unbounded; a
-- bounded field without a value leaves the row out), $8 flags of which a row needs one (NULL:
-- any), $9 flags a row must not have, $10 order keys (positions in `vals`, up to three),
-- $11 their directions (1 ascending, -1 descending; nulls always last, then symbol), $12 rank to
-- start after (the cursor), $13 rows. The positions of `vals` are those of
-- service.models.SCREEN_FIELDS. `total`: rows passing the filter (all pages). The filters and
-- keys read the values stored per version (short_interest_screen_value, migration 0024: the
-- view's values, kept equal to it by triggers); only the keys go through the sort, and the page's
-- points are read from the view by key (the columns of ShortInterestPoint, expanded on loading:
-- service/db/queries.py).
WITH points AS (
    SELECT DISTINCT ON (p.security_id) p.security_id, p.vals, p.flags
    FROM short_interest_screen_value p
    WHERE p.settlement_date = $2 AND p.known_from <= $1
    ORDER BY p.security_id, p.known_from DESC
),
screened AS (
    SELECT p.security_id, s.symbol,
           p.vals[10] AS average_dollar_volume_usd, p.vals[11] AS market_cap_usd,
           p.vals[($10::int[])[1]] * ($11::int[])[1] AS k1,
           p.vals[($10::int[])[2]] * ($11::int[])[2] AS k2,
           p.vals[($10::int[])[3]] * ($11::int[])[3] AS k3
    FROM points p
    JOIN security s ON s.id = p.security_id
    WHERE ($3::text[] IS NULL OR s.type = ANY($3))
      AND ($4::text[] IS NULL OR s.market_class = ANY($4))
      AND ($5::text IS NULL OR s.id IN (SELECT m.security_id FROM index_members($5, $2) m))
      AND ($8::text[] IS NULL OR p.flags && $8)
      AND ($9::text[] IS NULL OR NOT p.flags && $9)
      AND (($6::float8[] IS NULL AND $7::float8[] IS NULL) OR NOT EXISTS (
          SELECT 1
          FROM unnest(p.vals, $6::float8[], $7::float8[]) AS b (value, low, high)
          WHERE (b.low IS NOT NULL AND (b.value IS NULL OR b.value < b.low))
             OR (b.high IS NOT NULL AND (b.value IS NULL OR b.value > b.high))
      ))
),
ranked AS (
    SELECT security_id, symbol, average_dollar_volume_usd, market_cap_usd,
           row_number() OVER (ORDER BY k1 NULLS LAST, k2 NULLS LAST, k3 NULLS LAST, symbol)
               AS rank,
           count(*) OVER () AS total
    FROM screened
),
page AS (
    SELECT * FROM ranked WHERE rank > $12::bigint ORDER BY rank LIMIT $13::int
)
SELECT g.rank, g.total, g.average_dollar_volume_usd, g.market_cap_usd,
       s.id, s.symbol, s.name, s.type, s.market_class, s.type_source,
       security_listing_exchange(s.id) AS listing_exchange,
       {p.ShortInterestPoint}
FROM page g
JOIN security s ON s.id = g.security_id
CROSS JOIN LATERAL (
    SELECT * FROM short_interest_point q
    WHERE q.security_id = g.security_id AND q.settlement_date = $2 AND q.known_from <= $1
    ORDER BY q.known_from DESC LIMIT 1
) p
ORDER BY g.rank

-- name: latest_volume_day
-- The newest day with Reg SHO rows of facilities $1 (none stored: NULL).
SELECT max(m.month + (d.day - 1))
FROM short_volume_month m
CROSS JOIN LATERAL unnest(m.days) AS d (day)
WHERE m.facility = ANY($1::text[])
  AND m.month = (SELECT max(month) FROM short_volume_month WHERE facility = ANY($1::text[]))

-- name: short_volume
-- The short volume screen of trading day $1: each security's Reg SHO volume of that day summed
-- over facilities $2 (ALL is CNMS + FORF: CNMS is FINRA's sum of FNQC, FNSQ, FNYX and FNRA for
-- NMS securities, FORF the OTC facility, whose securities are not in CNMS; docs/screens.md), and
-- its ratio against the mean of its daily ratios over the 20 NYSE trading days before $1
-- (those with volume), ranked by the order keys, one page of it.
-- $3 security types, $4 FINRA market classes, $5 index code (members on $1), $6 / $7 bounds per
-- numeric field, $8 order keys (positions in `vals`: service.models.VOLUME_SCREEN_FIELDS), $9
-- directions, $10 rank to start after, $11 rows, $12 the facility label of the answer.
-- Arguments as in short_interest above.
WITH window_start AS (
    SELECT coalesce(min(w.date), $1) AS start
    FROM (SELECT c.date FROM calendar_day c
          WHERE c.trading AND c.date < $1 ORDER BY c.date DESC LIMIT 20) w
),
by_month AS (
    -- Per month row (security, facility, month): the day's volumes, and the sum and count of the
    -- daily ratios in the window. Aggregated here, inside the row, so the window's ~200k days
    -- of a full market are never sorted or grouped.
    SELECT m.security_id, a.*
    FROM window_start w
    JOIN short_volume_month m
      ON m.month BETWEEN date_trunc('month', w.start)::date AND $1 AND m.facility = ANY($2::text[])
    CROSS JOIN LATERAL (
        SELECT sum(e.short_volume) FILTER (WHERE e.day = $1 - m.month + 1) AS short_volume,
               sum(e.short_exempt_volume) FILTER (WHERE e.day = $1 - m.month + 1)
                   AS short_exempt_volume,
               sum(e.total_volume) FILTER (WHERE e.day = $1 - m.month + 1) AS total_volume,
               sum(e.short_volume / e.total_volume * 100)
                   FILTER (WHERE e.day BETWEEN w.start - m.month + 1 AND $1 - m.month
                             AND e.total_volume > 0) AS ratio_sum,
               count(*) FILTER (WHERE e.day BETWEEN w.start - m.month + 1 AND $1 - m.month
                                  AND e.total_volume > 0) AS ratio_days
        FROM unnest(m.days, m.short_volume, m.short_exempt_volume, m.total_volume)
            AS e (day, short_volume, short_exempt_volume, total_volume)
    ) a
),
per_security AS (
    -- A security in several of the facilities summed (ALL: CNMS and FORF, whose securities FINRA
    -- keeps apart) would count a day once per facility in the average.
    SELECT b.security_id,
           sum(b.short_volume) AS short_volume,
           sum(b.short_exempt_volume) AS short_exempt_volume,
           sum(b.total_volume) AS total_volume,
           sum(b.ratio_sum) / nullif(sum(b.ratio_days), 0) AS average_exact,
           sum(b.ratio_days) AS average_days
    FROM by_month b
    GROUP BY b.security_id
    HAVING count(b.total_volume) > 0
),
screened AS (
    SELECT s.id, s.symbol, s.name, s.type, s.market_class, s.type_source,
           p.short_volume, p.short_exempt_volume, p.total_volume, p.average_days,
           metric_short_volume_ratio(p.short_volume, p.total_volume) AS short_volume_ratio,
           metric_percent(p.average_exact) AS average_short_volume_ratio,
           CASE WHEN p.total_volume > 0 THEN
               metric_percent(p.short_volume / p.total_volume * 100 - p.average_exact)
           END AS short_volume_ratio_change
    FROM per_security p
    JOIN security s ON s.id = p.security_id
    WHERE ($3::text[] IS NULL OR s.type = ANY($3))
      AND ($4::text[] IS NULL OR s.market_class = ANY($4))
      AND ($5::text IS NULL OR s.id IN (SELECT m.security_id FROM index_members($5, $1) m))
),
valued AS (
    SELECT x.*, v.vals,
           v.vals[($8::int[])[1]] * ($9::int[])[1] AS k1,
           v.vals[($8::int[])[2]] * ($9::int[])[2] AS k2,
           v.vals[($8::int[])[3]] * ($9::int[])[3] AS k3
    FROM screened x
    CROSS JOIN LATERAL (
        SELECT ARRAY[
            round(x.short_volume::numeric)::float8, round(x.short_exempt_volume::numeric)::float8,
            round(x.total_volume::numeric)::float8, x.short_volume_ratio, x.average_short_volume_ratio,
            x.short_volume_ratio_change
        ] AS vals
    ) v
    WHERE ($6::float8[] IS NULL AND $7::float8[] IS NULL) OR NOT EXISTS (
        SELECT 1
        FROM unnest(v.vals, $6::float8[], $7::float8[]) AS b (value, low, high)
        WHERE (b.low IS NOT NULL AND (b.value IS NULL OR b.value < b.low))
           OR (b.high IS NOT NULL AND (b.value IS NULL OR b.value > b.high))
    )
),
ranked AS (
    SELECT *, row_number() OVER (ORDER BY k1 NULLS LAST, k2 NULLS LAST, k3 NULLS LAST, symbol)
                  AS rank,
           count(*) OVER () AS total
    FROM valued
)
SELECT rank, total,
       id, symbol, name, type, market_class, type_source,
       security_listing_exchange(id) AS listing_exchange,
       $1::date AS date, $12::text AS facility,
       round(short_volume::numeric)::bigint AS short_volume,
       round(short_exempt_volume::numeric)::bigint AS short_exempt_volume,
       round(total_volume::numeric)::bigint AS total_volume,
       short_volume_ratio, average_short_volume_ratio, average_days::int AS average_days,
       short_volume_ratio_change
FROM ranked
WHERE rank > $10::bigint
ORDER BY rank
LIMIT $11::int
