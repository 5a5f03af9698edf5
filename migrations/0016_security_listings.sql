-- Listings seen in Nasdaq Trader's symbol directory (service/sources/symbol_directory/): per
-- security, directory file, listing exchange and ETF flag, the first and the last snapshot that
-- showed it. The host keeps no history, so this table is the history: a security absent from a
-- later snapshot (delisted, or renamed) keeps its last_seen, and what a security was on a date is
-- the listing seen around that date. A move to another exchange, or a changed ETF flag, starts a
-- row of its own.
CREATE TABLE security_listing (
    security_id      bigint NOT NULL REFERENCES security (id) ON DELETE CASCADE,
    source           text NOT NULL CHECK (source IN ('nasdaqlisted', 'otherlisted')),
    exchange         text NOT NULL CHECK (exchange IN ('Nasdaq', 'NYSE', 'NYSE American',
                                                       'NYSE Arca', 'Cboe BZX', 'IEX')),
    etf              boolean NOT NULL,
    -- The symbol as the directory spells it (CQS Symbol for otherlisted, e.g. BRK.B, BFSpD; the
    -- security's symbol is FINRA's spelling of it, BRKB, BFSPRD).
    directory_symbol text NOT NULL CHECK (directory_symbol ~ '^[^\s]{1,24}$'),
    first_seen       date NOT NULL,
    last_seen        date NOT NULL,
    ingest_run_id    bigint REFERENCES ingest_run (id) ON DELETE SET NULL,
    PRIMARY KEY (security_id, source, exchange, etf),
    CHECK (first_seen <= last_seen)
);

CREATE INDEX security_listing_last_seen_idx ON security_listing (security_id, last_seen DESC);

-- Where a security is listed now: the exchange of its most recently seen listing (NULL when the
-- directory never showed it: OTC securities, or no snapshot ingested yet). One definition for
-- every query that serves a security.
CREATE FUNCTION security_listing_exchange(security bigint) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT l.exchange
    FROM security_listing l
    WHERE l.security_id = security
    ORDER BY l.last_seen DESC, l.first_seen DESC
    LIMIT 1
$$;
