-- security_listing_exchange (migration 0016) in PL/pgSQL, same body and result. A SQL function
-- whose body Postgres cannot inline (this one has ORDER BY and LIMIT) is parsed and planned
-- again in every statement that calls it: ~70 us of each call, measured with pgbench
-- (-M prepared, `SELECT security_listing_exchange(id) FROM security WHERE symbol = 'IWM'`:
-- 0.159 ms a statement against 0.109 in PL/pgSQL and 0.087 without the call), a tenth of the
-- Postgres time of `security(symbol) { shortInterest(first: 24) }` (docs/benchmarks.md). A
-- PL/pgSQL function keeps its query's plan for the session.
CREATE OR REPLACE FUNCTION security_listing_exchange(security bigint) RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
    RETURN (
        SELECT l.exchange
        FROM security_listing l
        WHERE l.security_id = security
        ORDER BY l.last_seen DESC, l.first_seen DESC
        LIMIT 1
    );
END
$$;
