-- Derived data kept up to date at ingest, and API keys.

-- Index short exposure per settlement date, refreshed at ingest for the dates an ingest touches
-- (see service/db/queries/exposure.sql). The dollar legs count only members with a price; the
-- *_priced counters say how complete each leg is.
CREATE TABLE index_short_exposure (
    index_code                    text NOT NULL REFERENCES market_index (code) ON DELETE CASCADE,
    settlement_date               date NOT NULL,
    constituents                  integer NOT NULL,
    constituents_reporting        integer NOT NULL,
    constituents_priced           integer NOT NULL,
    single_stock_short_interest   bigint NOT NULL,
    single_stock_short_value_usd  double precision NOT NULL,
    etfs                          integer NOT NULL,
    etfs_reporting                integer NOT NULL,
    etfs_priced                   integer NOT NULL,
    etf_short_interest            bigint NOT NULL,
    etf_short_value_usd           double precision NOT NULL,
    refreshed_at                  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (index_code, settlement_date)
);

-- Partner API keys. The key itself is shown once at creation; only its SHA-256 is stored (keys are
-- 256-bit random, so a fast hash is enough: there is nothing to brute-force).
CREATE TABLE api_key (
    id                    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name                  text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    prefix                text NOT NULL UNIQUE,
    key_hash              bytea NOT NULL UNIQUE CHECK (length(key_hash) = 32),
    rate_limit_per_minute integer NOT NULL CHECK (rate_limit_per_minute > 0),
    created_at            timestamptz NOT NULL DEFAULT now(),
    revoked_at            timestamptz,
    last_used_at          timestamptz
);
