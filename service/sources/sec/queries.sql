-- SEC EDGAR from staging: tickers (ticker, cik, title, shortflow_symbol, common) and cover-page
-- share counts (cik, accn, end_date, form, shares; ref_date is the filing date).

-- name: upsert_tickers
-- $1 run id, $2 the ingest date (the day the map was read: SEC's file carries no date).
INSERT INTO sec_ticker AS t (ticker, cik, title, symbol, common, first_seen, last_seen,
                             ingest_run_id)
SELECT ticker, cik, title, shortflow_symbol, common, $2, $2, $1
FROM staging
ON CONFLICT (ticker) DO UPDATE
SET cik = excluded.cik,
    title = excluded.title,
    symbol = excluded.symbol,
    common = excluded.common,
    last_seen = greatest(t.last_seen, excluded.last_seen),
    ingest_run_id = excluded.ingest_run_id

-- name: attach_company
-- The security the company's common-stock count belongs to (migration 0017's view: none when
-- ambiguous); the pipeline then refreshes short_interest_context from security_id and ref_date.
UPDATE staging st
SET security_id = m.security_id
FROM sec_company_security m
WHERE m.cik = st.cik

-- name: upsert_facts
-- $1 run id.
INSERT INTO sec_share_fact AS f (cik, accn, end_date, filed, form, shares, security_id,
                                 ingest_run_id)
SELECT cik, accn, end_date, ref_date, form, shares, security_id, $1
FROM staging
ON CONFLICT (cik, accn, end_date) DO UPDATE
SET filed = excluded.filed,
    form = excluded.form,
    shares = excluded.shares,
    security_id = excluded.security_id,
    ingest_run_id = excluded.ingest_run_id
WHERE (f.filed, f.form, f.shares, f.security_id)
      IS DISTINCT FROM (excluded.filed, excluded.form, excluded.shares, excluded.security_id)

-- name: upsert_share_counts
-- $1 run id. As of the filing date; of two filings the same day, the count describing the later
-- date (then the later accession number).
INSERT INTO share_count AS c (security_id, as_of, shares_outstanding, ingest_run_id)
SELECT DISTINCT ON (security_id, ref_date) security_id, ref_date, shares, $1
FROM staging
WHERE security_id IS NOT NULL
ORDER BY security_id, ref_date, end_date DESC, accn DESC
ON CONFLICT (security_id, as_of) DO UPDATE
SET shares_outstanding = excluded.shares_outstanding,
    ingest_run_id = excluded.ingest_run_id
WHERE c.shares_outstanding IS DISTINCT FROM excluded.shares_outstanding
