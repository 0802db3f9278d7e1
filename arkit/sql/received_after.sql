-- inputs: open_items, fx_factors
-- Payments received after $as_of on the items open on $as_of, grouped like aging.sql
-- ($by, $reporting_currency) in the same long form (measure 'received_after'):
-- payments dated after $as_of whose invoice_id is an item open on $as_of.
WITH received AS (
    SELECT
        CASE $by
            WHEN 'customer' THEN o.customer_id
            WHEN 'region' THEN o.region
            WHEN 'salesperson' THEN o.salesperson
            WHEN 'collector' THEN o.collector
            WHEN 'segment' THEN o.segment
            WHEN 'currency' THEN COALESCE($reporting_currency, o.currency)
            ELSE 'all'
        END AS group_key,
        CASE WHEN $by = 'customer' THEN o.customer_name END AS customer_name,
        COALESCE($reporting_currency, o.currency) AS report_currency,
        CASE
            WHEN $reporting_currency IS NULL OR o.currency IS NULL
                OR o.currency = $reporting_currency THEN p.amount
            ELSE CAST(ROUND(p.amount * f.factor, 2) AS DECIMAL(18, 2))
        END AS value
    FROM open_items AS o
    JOIN payments AS p ON p.invoice_id = o.invoice_id
    LEFT JOIN fx_factors AS f ON f.currency = o.currency
    WHERE p.payment_date > CAST($as_of AS DATE)
)
SELECT
    COALESCE(group_key, '(none)') AS group_key,
    MAX(customer_name) AS customer_name,
    report_currency AS currency,
    'received_after' AS measure,
    106 AS measure_order,
    CAST(SUM(value) AS DECIMAL(18, 2)) AS amount,
    0 AS lines
FROM received
GROUP BY COALESCE(group_key, '(none)'), report_currency
