-- Index names, and which source defines an index's membership on a date.

-- Names of the indexes the service knows by code. Index rows are created by the first file that
-- names a code (index members, a securities file's tracks_index, holdings --index), and none of
-- those files carries the index's name: without this table every index was served nameless.
CREATE TABLE known_index (
    code text PRIMARY KEY,
    name text NOT NULL
);

INSERT INTO known_index (code, name) VALUES
    ('R1000', 'Russell 1000'),
    ('R2000', 'Russell 2000'),
    ('R3000', 'Russell 3000'),
    ('SP500', 'S&P 500'),
    ('SP400', 'S&P MidCap 400'),
    ('SP600', 'S&P SmallCap 600'),
    ('NDX', 'Nasdaq-100'),
    ('DJIA', 'Dow Jones Industrial Average');

UPDATE market_index i SET name = k.name
FROM known_index k
WHERE k.code = i.code AND i.name IS NULL;

-- Membership has two sources (docs/data-model.md "Index membership"): index-member files state
-- intervals per security; a holdings snapshot states the whole list on its date, valid until the
-- next snapshot. On a date, the source with the newest statement on or before it defines the
-- whole membership (one source, never their union: a snapshot of 3 positions after a list of
-- 1,920 members means 3 members, not 1,923):
-- - holdings, when the index's latest snapshot on or before the date is later than every start
--   and end of its member-file intervals on or before the date;
-- - members otherwise (on a tie too: the file is the index's own list, a fund's holdings can
--   hold what is not a member);
-- - NULL when neither source says anything on or before the date (membership unknown).
CREATE FUNCTION index_membership_source(code text, on_date date) RETURNS text
STABLE PARALLEL SAFE LANGUAGE sql
RETURN (
    WITH snapshot AS (
        SELECT max(h.as_of) AS day
        FROM holdings_snapshot h
        WHERE h.index_code = code AND h.as_of <= on_date
    ),
    listed AS (
        SELECT greatest(
                   max(m.valid_from),
                   max(m.valid_to) FILTER (WHERE m.valid_to <= on_date)
               ) AS day
        FROM index_membership m
        WHERE m.index_code = code AND m.source = 'members' AND m.valid_from <= on_date
    )
    SELECT CASE
               WHEN snapshot.day IS NOT NULL AND (listed.day IS NULL OR snapshot.day > listed.day)
                   THEN 'holdings'
               WHEN listed.day IS NOT NULL THEN 'members'
           END
    FROM snapshot, listed
);

-- The members of an index on a date, by the rule above. Every reader of membership (securities
-- by index, constituents, the squeeze screen, index short exposure) goes through this function.
CREATE FUNCTION index_members(code text, on_date date)
RETURNS TABLE (security_id bigint, weight double precision)
STABLE PARALLEL SAFE LANGUAGE sql
AS $$
    SELECT DISTINCT ON (m.security_id) m.security_id, m.weight
    FROM index_membership m
    WHERE m.index_code = code
      AND m.source = (SELECT index_membership_source(code, on_date))  -- once, not per row
      AND m.valid_from <= on_date AND on_date < m.valid_to
    ORDER BY m.security_id, m.valid_from DESC
$$;
