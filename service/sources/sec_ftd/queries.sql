-- SEC fails-to-deliver from staging (ref_date: settlement date; symbol in FINRA's spelling,
-- resolved to security_id by the pipeline) into fails_to_deliver.

-- name: upsert_fails
-- $1 run id, $2 the day the file counts as known from (halves.known_from). A row stored again
-- (the same file, or SEC restating it) replaces the figures; `known_from` stays the first one: the
-- row was known from its first publication.
INSERT INTO fails_to_deliver AS f (security_id, settlement_date, cusip, symbol, quantity, price,
                                   description, known_from, ingest_run_id)
SELECT security_id, ref_date, cusip, symbol, quantity, price, description, $2, $1
FROM staging
ON CONFLICT (security_id, settlement_date, cusip) DO UPDATE
SET symbol = excluded.symbol,
    quantity = excluded.quantity,
    price = excluded.price,
    description = excluded.description,
    ingest_run_id = excluded.ingest_run_id
WHERE (f.symbol, f.quantity, f.price, f.description)
      IS DISTINCT FROM (excluded.symbol, excluded.quantity, excluded.price, excluded.description)

-- name: staged_latest
SELECT max(ref_date) FROM staging
