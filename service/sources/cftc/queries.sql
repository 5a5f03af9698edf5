-- CFTC Traders in Financial Futures: staged rows into futures_position.

-- name: staged_indexes
SELECT DISTINCT index_code FROM staging ORDER BY index_code

-- name: upsert_positions
-- $1 run id. A later file for the same contract and week (the yearly file after the weekly one)
-- replaces the figures; identical figures are not rewritten. The release date stays the first one
-- stored: a week restated later was still known from its first release.
INSERT INTO futures_position AS f (
    contract_code, report_date, release_date, index_code, contract_name, contract_units,
    multiplier, emini_equivalent, open_interest,
    dealers_long, dealers_short, dealers_spread,
    asset_managers_long, asset_managers_short, asset_managers_spread,
    leveraged_funds_long, leveraged_funds_short, leveraged_funds_spread,
    other_reportables_long, other_reportables_short, other_reportables_spread, ingest_run_id
)
SELECT contract_code, ref_date, release_date, index_code, name, contract_units,
       multiplier, emini_equivalent, open_interest,
       dealers_long, dealers_short, dealers_spread,
       asset_managers_long, asset_managers_short, asset_managers_spread,
       leveraged_funds_long, leveraged_funds_short, leveraged_funds_spread,
       other_reportables_long, other_reportables_short, other_reportables_spread, $1
FROM staging
ON CONFLICT (contract_code, report_date) DO UPDATE
SET contract_name = excluded.contract_name,
    contract_units = excluded.contract_units,
    open_interest = excluded.open_interest,
    dealers_long = excluded.dealers_long,
    dealers_short = excluded.dealers_short,
    dealers_spread = excluded.dealers_spread,
    asset_managers_long = excluded.asset_managers_long,
    asset_managers_short = excluded.asset_managers_short,
    asset_managers_spread = excluded.asset_managers_spread,
    leveraged_funds_long = excluded.leveraged_funds_long,
    leveraged_funds_short = excluded.leveraged_funds_short,
    leveraged_funds_spread = excluded.leveraged_funds_spread,
    other_reportables_long = excluded.other_reportables_long,
    other_reportables_short = excluded.other_reportables_short,
    other_reportables_spread = excluded.other_reportables_spread,
    ingest_run_id = excluded.ingest_run_id
WHERE (f.contract_name, f.contract_units, f.open_interest, f.dealers_long, f.dealers_short,
       f.dealers_spread, f.asset_managers_long, f.asset_managers_short, f.asset_managers_spread,
       f.leveraged_funds_long, f.leveraged_funds_short, f.leveraged_funds_spread,
       f.other_reportables_long, f.other_reportables_short, f.other_reportables_spread)
      IS DISTINCT FROM
      (excluded.contract_name, excluded.contract_units, excluded.open_interest,
       excluded.dealers_long, excluded.dealers_short, excluded.dealers_spread,
       excluded.asset_managers_long, excluded.asset_managers_short, excluded.asset_managers_spread,
       excluded.leveraged_funds_long, excluded.leveraged_funds_short,
       excluded.leveraged_funds_spread, excluded.other_reportables_long,
       excluded.other_reportables_short, excluded.other_reportables_spread)
