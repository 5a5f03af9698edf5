-- Reg SHO short volume from staging (one row per symbol and month, parallel arrays of days and
-- values) into short_volume_month.

-- name: split_keys
-- Security-months that arrived in more than one staging row: a file not in date order, or two
-- symbols of one security (a rename) in the same month.
SELECT count(*)
FROM (
    SELECT 1 FROM staging
    GROUP BY security_id, facility, month
    HAVING count(*) > 1
) split

-- name: clashing_days
-- Days named twice for one security-month across staging rows; the file cannot be applied.
SELECT s.symbol, (s.month + (e.day - 1))::date AS date, array_agg(s.line ORDER BY s.line) AS lines
FROM staging s
CROSS JOIN LATERAL unnest(s.days) AS e(day)
GROUP BY s.security_id, s.facility, s.month, e.day, s.symbol
HAVING count(*) > 1
LIMIT 5

-- name: join_split_keys
-- Joins the pieces of each split security-month into one staging row (days ascending).
WITH split AS (
    SELECT security_id, facility, month
    FROM staging
    GROUP BY security_id, facility, month
    HAVING count(*) > 1
),
joined AS (
    SELECT s.security_id, s.facility, s.month,
           min(s.line) AS line, min(s.symbol) AS symbol, min(s.ref_date) AS ref_date,
           array_agg(e.day ORDER BY e.day) AS days,
           array_agg(e.short_volume ORDER BY e.day) AS short_volume,
           array_agg(e.short_exempt_volume ORDER BY e.day) AS short_exempt_volume,
           array_agg(e.total_volume ORDER BY e.day) AS total_volume,
           array_agg(e.market ORDER BY e.day) AS market
    FROM staging s
    JOIN split USING (security_id, facility, month)
    CROSS JOIN LATERAL unnest(s.days, s.short_volume, s.short_exempt_volume, s.total_volume,
                              s.market) AS e(day, short_volume, short_exempt_volume,
                                              total_volume, market)
    GROUP BY s.security_id, s.facility, s.month
),
removed AS (
    DELETE FROM staging s
    USING split
    WHERE s.security_id = split.security_id
      AND s.facility = split.facility
      AND s.month = split.month
)
INSERT INTO staging (line, symbol, ref_date, security_id, facility, month, days, short_volume,
                     short_exempt_volume, total_volume, market)
SELECT line, symbol, ref_date, security_id, facility, month, days, short_volume,
       short_exempt_volume, total_volume, market
FROM joined

-- name: upsert_months
-- New security-months are inserted as they are. Existing ones are merged by day: a day in the
-- file replaces the stored day, other stored days stay; unchanged rows are not rewritten. The usual
-- case, daily files in date order, only appends: the file's days all come after the stored ones,
-- so `appended` extends the arrays with a plain UPDATE (a third of the cost of the merge through
-- ON CONFLICT, measured in bench.sync) and the merge sees only the other rows.
-- Symbols map to securities here (the symbol interval holding the month's first day, else the
-- security holding the symbol now) unless the slow path resolved staging already. Two staging rows
-- of one security-month are a cardinality violation (`split_check` returns two rows then): the
-- caller takes the slow path, which joins them.
-- Returns the number of security-months written.
WITH resolved AS MATERIALIZED (
    SELECT coalesce(s.security_id, iv.security_id, cur.id) AS security_id, s.facility, s.month,
           s.days, s.short_volume, s.short_exempt_volume, s.total_volume, s.market
    FROM staging s
    LEFT JOIN security_symbol iv
           ON s.security_id IS NULL AND iv.symbol = s.symbol
          AND iv.valid_from <= s.ref_date AND s.ref_date < iv.valid_to
    LEFT JOIN security cur
           ON s.security_id IS NULL AND iv.security_id IS NULL AND cur.symbol = s.symbol
),
split_check AS (
    SELECT 1 AS split
    UNION ALL
    (SELECT 1 FROM resolved GROUP BY security_id, facility, month HAVING count(*) > 1 LIMIT 1)
),
appended AS (
    UPDATE short_volume_month t
    SET days = t.days || r.days,
        short_volume = t.short_volume || r.short_volume,
        short_exempt_volume = t.short_exempt_volume || r.short_exempt_volume,
        total_volume = t.total_volume || r.total_volume,
        market = t.market || r.market
    FROM resolved r
    WHERE (SELECT split FROM split_check) = 1
      AND t.security_id = r.security_id AND t.facility = r.facility AND t.month = r.month
      AND r.days[1] > t.days[cardinality(t.days)]
    RETURNING t.security_id, t.facility, t.month
),
merged AS (
    INSERT INTO short_volume_month AS t (
        security_id, facility, month, days, short_volume, short_exempt_volume, total_volume,
        market
    )
    SELECT r.security_id, r.facility, r.month, r.days, r.short_volume, r.short_exempt_volume,
           r.total_volume, r.market
    FROM resolved r
    WHERE NOT EXISTS (
        SELECT 1 FROM appended a
        WHERE a.security_id = r.security_id AND a.facility = r.facility AND a.month = r.month
    )
    ON CONFLICT (security_id, facility, month) DO UPDATE
    SET (days, short_volume, short_exempt_volume, total_volume, market) = (
        SELECT array_agg(day ORDER BY day),
               array_agg(short_volume ORDER BY day),
               array_agg(short_exempt_volume ORDER BY day),
               array_agg(total_volume ORDER BY day),
               array_agg(market ORDER BY day)
        FROM (
            SELECT DISTINCT ON (day) day, short_volume, short_exempt_volume, total_volume, market
            FROM (
                SELECT n.*, 0 AS side
                FROM unnest(excluded.days, excluded.short_volume, excluded.short_exempt_volume,
                            excluded.total_volume, excluded.market)
                     AS n(day, short_volume, short_exempt_volume, total_volume, market)
                UNION ALL
                SELECT o.*, 1
                FROM unnest(t.days, t.short_volume, t.short_exempt_volume, t.total_volume,
                            t.market)
                     AS o(day, short_volume, short_exempt_volume, total_volume, market)
            ) both_sides
            ORDER BY day, side
        ) merged
    )
    WHERE NOT (
        t.days @> excluded.days
        AND (SELECT bool_and(o.short_volume = n.short_volume
                             AND o.short_exempt_volume = n.short_exempt_volume
                             AND o.total_volume = n.total_volume
                             AND o.market = n.market)
             FROM unnest(excluded.days, excluded.short_volume, excluded.short_exempt_volume,
                         excluded.total_volume, excluded.market)
                  AS n(day, short_volume, short_exempt_volume, total_volume, market)
             JOIN unnest(t.days, t.short_volume, t.short_exempt_volume, t.total_volume, t.market)
                  AS o(day, short_volume, short_exempt_volume, total_volume, market)
               USING (day))
    )
    RETURNING 1
)
SELECT (SELECT count(*) FROM appended) + (SELECT count(*) FROM merged)
