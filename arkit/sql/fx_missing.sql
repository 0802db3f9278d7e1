-- inputs: fx_factors
-- Currencies of the ledger that cannot be converted to $reporting_currency as of
-- $as_of: no fx_rates row on or before that date (see fx_factors.sql).
WITH used AS (
    SELECT currency FROM invoices WHERE invoice_date <= CAST($as_of AS DATE)
    UNION
    SELECT currency FROM payments WHERE payment_date <= CAST($as_of AS DATE)
    UNION
    SELECT currency FROM customers
)
SELECT u.currency
FROM used AS u
LEFT JOIN fx_factors AS f ON f.currency = u.currency
WHERE u.currency IS NOT NULL AND f.currency IS NULL
