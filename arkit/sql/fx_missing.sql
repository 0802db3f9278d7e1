-- inputs: fx_factors
-- Currencies that cannot be converted to $reporting_currency as of $as_of.
-- role 'ledger': a currency of the ledger with no fx_rates row on or before that date
-- (see fx_factors.sql). role 'reporting': the reporting currency itself when it has no
-- rate and nothing in the ledger is in it - a base currency is always used by some
-- document or customer, so this is a mistyped or unknown code, not the base.
WITH used AS (
    SELECT currency FROM invoices WHERE invoice_date <= CAST($as_of AS DATE)
    UNION
    SELECT currency FROM payments WHERE payment_date <= CAST($as_of AS DATE)
    UNION
    SELECT currency FROM customers
)
SELECT u.currency, 'ledger' AS role
FROM used AS u
LEFT JOIN fx_factors AS f ON f.currency = u.currency
WHERE u.currency IS NOT NULL AND f.currency IS NULL
UNION ALL
SELECT $reporting_currency, 'reporting'
WHERE NOT EXISTS (
    SELECT 1 FROM fx_rates
    WHERE currency = $reporting_currency AND date <= CAST($as_of AS DATE)
)
  AND NOT EXISTS (SELECT 1 FROM used WHERE currency = $reporting_currency)
