-- Shares outstanding from SEC EDGAR (service/sources/sec/): the ticker -> CIK map of
-- company_tickers.json, and the cover-page share counts (dei:EntityCommonStockSharesOutstanding)
-- of each company's companyfacts, kept with the date they describe and the date they were filed.

-- One row per ticker SEC lists. `symbol` is the ticker in the spelling Shortflow's securities use
-- (FINRA's: SEC's `BRK-B` is `BRKB`, `BAC-PE` is `BACPRE`); `common` is false for the lines SEC's
-- spelling marks as preferreds, warrants, units or rights. A ticker missing from the latest file
-- keeps its row with an older `last_seen`, and no longer maps to anything.
CREATE TABLE sec_ticker (
    ticker        text PRIMARY KEY CHECK (ticker ~ '^[A-Za-z0-9.\-]{1,24}$'),
    cik           bigint NOT NULL CHECK (cik > 0),
    title         text,
    symbol        text NOT NULL,
    common        boolean NOT NULL,
    first_seen    date NOT NULL,
    last_seen     date NOT NULL,
    ingest_run_id bigint REFERENCES ingest_run (id),
    CHECK (first_seen <= last_seen)
);

CREATE INDEX sec_ticker_cik_idx ON sec_ticker (cik);
CREATE INDEX sec_ticker_symbol_idx ON sec_ticker (symbol);

-- Which security a company's common-stock count belongs to: only where that is unambiguous. A CIK
-- listing two common lines (BRK-A and BRK-B, GOOG and GOOGL) maps to none, since one cover-page
-- count per class does not say which class it is; nor does a security two CIKs claim.
CREATE VIEW sec_company_security AS
WITH listed AS (
    SELECT DISTINCT t.cik, s.id AS security_id
    FROM sec_ticker t
    JOIN security s ON s.symbol = t.symbol AND s.type = 'stock'
    WHERE t.common AND t.last_seen = (SELECT max(last_seen) FROM sec_ticker)
),
single AS (
    SELECT cik, min(security_id) AS security_id FROM listed GROUP BY cik HAVING count(*) = 1
)
SELECT cik, security_id
FROM single
WHERE security_id NOT IN (
    SELECT security_id FROM listed GROUP BY security_id HAVING count(*) > 1
);

-- Every single-class cover-page count read from companyfacts: `end_date` is the date it describes,
-- `filed` the day its filing was accepted, when it became known. share_count holds it as of
-- `filed` (no look-ahead: a count is not used for any date before it was published).
CREATE TABLE sec_share_fact (
    cik           bigint NOT NULL CHECK (cik > 0),
    accn          text NOT NULL CHECK (accn ~ '^[0-9]{10}-[0-9]{2}-[0-9]{6}$'),
    end_date      date NOT NULL,
    filed         date NOT NULL,
    form          text NOT NULL,
    shares        bigint NOT NULL CHECK (shares >= 0),
    security_id   bigint REFERENCES security (id) ON DELETE SET NULL,
    ingest_run_id bigint REFERENCES ingest_run (id),
    PRIMARY KEY (cik, accn, end_date)
);
