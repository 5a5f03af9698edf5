-- SEC EDGAR: which companies' share counts the sync fetches.

-- name: companies_with_short_interest
-- The CIKs whose common stock is one security (migration 0017's view) that has short interest.
SELECT m.cik
FROM sec_company_security m
WHERE EXISTS (SELECT 1 FROM short_interest si WHERE si.security_id = m.security_id)
ORDER BY m.cik

