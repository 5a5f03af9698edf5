-- What bench/peers.py adds to ../shared/tools/postgraphile/pgl_schema.sql (applied after it, dropped
-- with it): the index short exposure the API serves, for PostGraphile to serve too.
BEGIN;
-- Indexes (Shortflow's indexes.sql "by_code").
CREATE VIEW pgl.market_index AS
SELECT code, name FROM public.market_index;
COMMENT ON VIEW pgl.market_index IS E'@primaryKey code';

-- The stored per-date exposure (refreshed at ingest) that exposure.sql "series" reads, dollars to
-- cents as it gives them (metric_usd, migration 0013); the records and the futures leg are
-- Shortflow's computation on top and are not asked.
CREATE VIEW pgl.index_short_exposure AS
SELECT index_code, settlement_date, single_stock_short_interest,
       public.metric_usd(single_stock_short_value_usd) AS single_stock_short_value_usd,
       etf_short_interest, public.metric_usd(etf_short_value_usd) AS etf_short_value_usd,
       public.metric_usd(single_stock_short_value_usd + etf_short_value_usd)
           AS total_short_value_usd,
       constituents_reporting, constituents, constituents_priced, etfs_reporting, etfs_priced
FROM public.index_short_exposure;
COMMENT ON VIEW pgl.index_short_exposure IS
  E'@primaryKey index_code,settlement_date\n@foreignKey (index_code) references pgl.market_index (code)|@fieldName index|@foreignFieldName shortExposure';
COMMIT;
