-- Securities, their symbols over time, share counts over time, indexes and their members.

CREATE TABLE security (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- The current symbol. Case matters (Reg SHO writes preferreds as `ABRpA`).
    symbol       text NOT NULL UNIQUE CHECK (symbol ~ '^[^\s]{1,24}$'),
    name         text,
    type         text NOT NULL DEFAULT 'stock' CHECK (type IN ('stock', 'etf')),
    -- 'source': a file said what the security is; 'guess': inferred (e.g. "ETF" in a FINRA name).
    -- A guess never overrides what a source said.
    type_source  text NOT NULL DEFAULT 'guess' CHECK (type_source IN ('source', 'guess')),
    market_class text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX security_type_symbol_idx ON security (type, symbol);

-- Which security a symbol named at which time. A rename closes one interval and opens another for
-- the same security, so history follows the company, not the ticker. `valid_to` is exclusive.
CREATE TABLE security_symbol (
    security_id bigint NOT NULL REFERENCES security (id) ON DELETE CASCADE,
    symbol      text NOT NULL,
    valid_from  date NOT NULL DEFAULT '-infinity',
    valid_to    date NOT NULL DEFAULT 'infinity',
    PRIMARY KEY (symbol, valid_from),
    CHECK (valid_from < valid_to)
);

CREATE INDEX security_symbol_security_idx ON security_symbol (security_id, valid_from);

-- Shares outstanding and float as of a date (either may be unknown on a given date). Metrics use
-- the latest value on or before the date they describe (no look-ahead).
CREATE TABLE share_count (
    security_id        bigint NOT NULL REFERENCES security (id) ON DELETE CASCADE,
    as_of              date NOT NULL,
    shares_outstanding bigint CHECK (shares_outstanding >= 0),
    float_shares       bigint CHECK (float_shares >= 0),
    ingest_run_id      bigint REFERENCES ingest_run (id),
    PRIMARY KEY (security_id, as_of),
    CHECK (shares_outstanding IS NOT NULL OR float_shares IS NOT NULL)
);

CREATE TABLE market_index (
    code       text PRIMARY KEY CHECK (code ~ '^[A-Za-z0-9_.\-]{1,32}$'),
    name       text,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Membership intervals, from index-member files ('members') or derived from holdings snapshots
-- ('holdings': a snapshot defines membership from its date until the next snapshot).
-- A security is a member on D when any interval holds valid_from <= D < valid_to.
CREATE TABLE index_membership (
    index_code    text NOT NULL REFERENCES market_index (code) ON DELETE CASCADE,
    security_id   bigint NOT NULL REFERENCES security (id) ON DELETE CASCADE,
    valid_from    date NOT NULL,
    valid_to      date NOT NULL DEFAULT 'infinity',
    weight        double precision,
    source        text NOT NULL CHECK (source IN ('members', 'holdings')),
    ingest_run_id bigint REFERENCES ingest_run (id),
    PRIMARY KEY (index_code, source, security_id, valid_from),
    CHECK (valid_from < valid_to)
);

CREATE INDEX index_membership_date_idx ON index_membership (index_code, valid_from, valid_to);
CREATE INDEX index_membership_security_idx ON index_membership (security_id);

-- ETFs that track an index (their short interest is the ETF leg of the index's exposure).
CREATE TABLE etf_index (
    etf_id        bigint NOT NULL REFERENCES security (id) ON DELETE CASCADE,
    index_code    text NOT NULL REFERENCES market_index (code) ON DELETE CASCADE,
    ingest_run_id bigint REFERENCES ingest_run (id),
    PRIMARY KEY (index_code, etf_id)
);

-- Holdings snapshots of a fund (iShares layout): the fund's shares outstanding on the as-of date and
-- its equity positions. They also define index membership when ingested with an index code.
CREATE TABLE holdings_snapshot (
    fund_id            bigint NOT NULL REFERENCES security (id) ON DELETE CASCADE,
    as_of              date NOT NULL,
    index_code         text REFERENCES market_index (code),
    shares_outstanding bigint,
    ingest_run_id      bigint REFERENCES ingest_run (id),
    PRIMARY KEY (fund_id, as_of)
);

CREATE INDEX holdings_snapshot_index_idx ON holdings_snapshot (index_code, as_of);

CREATE TABLE holdings_position (
    fund_id      bigint NOT NULL,
    as_of        date NOT NULL,
    security_id  bigint NOT NULL REFERENCES security (id) ON DELETE CASCADE,
    quantity     double precision,
    market_value double precision,
    weight       double precision,
    price        double precision,
    PRIMARY KEY (fund_id, as_of, security_id),
    FOREIGN KEY (fund_id, as_of) REFERENCES holdings_snapshot (fund_id, as_of) ON DELETE CASCADE
);
