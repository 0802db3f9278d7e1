-- inputs: aging_lines, customer_balances, fx_factors, open_items
-- Aging as of $as_of grouped by $by, in long form: one row per group, currency and
-- measure. Reads the small table aging_buckets(bucket_order, bucket, low, high):
-- a line falls in the bucket whose low <= age <= high (both inclusive), where age
-- is days past due ($basis = 'due_date') or days since the invoice date
-- ($basis = 'invoice_date').
--
-- Measures: one per bucket; total (all open lines); overdue (days past due > 0);
-- over_90 (days past due > 90); disputed (open lines of disputed invoices);
-- unapplied_cash and credit_balance (customer_balances.sql); received_after
-- (payments dated after $as_of applied to items open on $as_of, when
-- $received_after is true). Bucket sums and total come from the same lines, so the
-- buckets of every group add up to its total exactly.
-- $by: customer, region, salesperson, collector, segment, currency or all.
-- Currency: with $reporting_currency NULL amounts stay in their currency and every
-- group is split by currency; otherwise each amount is converted (fx_factors.sql).
WITH lines AS (
    SELECT
        l.*,
        COALESCE($reporting_currency, l.currency) AS report_currency,
        CASE
            WHEN $reporting_currency IS NULL OR l.currency IS NULL
                OR l.currency = $reporting_currency THEN l.open_amount
            ELSE CAST(ROUND(l.open_amount * f.factor, 2) AS DECIMAL(18, 2))
        END AS value,
        CASE WHEN $basis = 'invoice_date' THEN l.days_outstanding ELSE l.days_past_due END AS age
    FROM aging_lines AS l
    LEFT JOIN fx_factors AS f ON f.currency = l.currency
),
balances AS (
    SELECT
        b.*,
        COALESCE($reporting_currency, b.currency) AS report_currency,
        CASE
            WHEN $reporting_currency IS NULL OR b.currency IS NULL
                OR b.currency = $reporting_currency THEN 1.0
            ELSE f.factor
        END AS factor
    FROM customer_balances AS b
    LEFT JOIN fx_factors AS f ON f.currency = b.currency
),
received AS (
    SELECT
        o.customer_id,
        o.customer_name,
        o.region,
        o.salesperson,
        o.collector,
        o.segment,
        COALESCE($reporting_currency, o.currency) AS report_currency,
        CASE
            WHEN $reporting_currency IS NULL OR o.currency IS NULL
                OR o.currency = $reporting_currency THEN p.amount
            ELSE CAST(ROUND(p.amount * f.factor, 2) AS DECIMAL(18, 2))
        END AS value
    FROM open_items AS o
    JOIN payments AS p ON p.invoice_id = o.invoice_id
    LEFT JOIN fx_factors AS f ON f.currency = o.currency
    WHERE $received_after AND p.payment_date > CAST($as_of AS DATE)
),
measures AS (
    SELECT l.customer_id, l.customer_name, l.region, l.salesperson, l.collector, l.segment,
           l.report_currency, b.bucket AS measure, b.bucket_order AS measure_order,
           l.value, 1 AS lines
    FROM lines AS l
    JOIN aging_buckets AS b ON l.age BETWEEN b.low AND b.high
    UNION ALL
    SELECT customer_id, customer_name, region, salesperson, collector, segment,
           report_currency, 'total', 100, value, 1
    FROM lines
    UNION ALL
    SELECT customer_id, customer_name, region, salesperson, collector, segment,
           report_currency, 'overdue', 101, value, 1
    FROM lines WHERE days_past_due > 0
    UNION ALL
    SELECT customer_id, customer_name, region, salesperson, collector, segment,
           report_currency, 'over_90', 102, value, 1
    FROM lines WHERE days_past_due > 90
    UNION ALL
    SELECT customer_id, customer_name, region, salesperson, collector, segment,
           report_currency, 'disputed', 103, value, 1
    FROM lines WHERE disputed
    UNION ALL
    SELECT customer_id, customer_name, region, salesperson, collector, segment,
           report_currency, 'unapplied_cash', 104,
           CAST(ROUND(unapplied_cash * factor, 2) AS DECIMAL(18, 2)), 0
    FROM balances
    UNION ALL
    SELECT customer_id, customer_name, region, salesperson, collector, segment,
           report_currency, 'credit_balance', 105,
           CAST(ROUND(credit_balance * factor, 2) AS DECIMAL(18, 2)), 0
    FROM balances
    UNION ALL
    SELECT customer_id, customer_name, region, salesperson, collector, segment,
           report_currency, 'received_after', 106, value, 0
    FROM received
),
keyed AS (
    SELECT
        CASE $by
            WHEN 'customer' THEN customer_id
            WHEN 'region' THEN region
            WHEN 'salesperson' THEN salesperson
            WHEN 'collector' THEN collector
            WHEN 'segment' THEN segment
            WHEN 'currency' THEN report_currency
            ELSE 'all'
        END AS group_key,
        CASE WHEN $by = 'customer' THEN customer_name END AS customer_name,
        report_currency,
        measure,
        measure_order,
        value,
        lines
    FROM measures
)
SELECT
    COALESCE(group_key, '(none)') AS group_key,
    MAX(customer_name) AS customer_name,
    report_currency AS currency,
    measure,
    measure_order,
    CAST(SUM(value) AS DECIMAL(18, 2)) AS amount,
    SUM(lines) AS lines
FROM keyed
GROUP BY COALESCE(group_key, '(none)'), report_currency, measure, measure_order
