-- inputs: aging_lines, customer_balances, fx_factors
-- Aging as of $as_of grouped by $by, in long form: one row per group, currency and
-- measure. Reads the small table aging_buckets(bucket_order, bucket, low, high):
-- a line falls in the bucket whose low <= age <= high (both inclusive), where age
-- is days past due ($basis = 'due_date') or days since the invoice date
-- ($basis = 'invoice_date').
--
-- Measures: one per bucket; total (all open lines); overdue (days past due > 0);
-- over_90 (days past due > 90); disputed (open lines of disputed invoices);
-- unapplied_cash and credit_balance (customer_balances.sql); payments received
-- after $as_of are a separate query (received_after.sql). The total is the sum of
-- the bucket sums and the buckets
-- cover every age, so the buckets of every group add up to its total exactly.
-- $by: customer, region, salesperson, collector, segment, currency or all.
-- Currency: with $reporting_currency NULL amounts stay in their currency and every
-- group is split by currency; otherwise each amount is converted (fx_factors.sql).
WITH lines AS (
    SELECT
        CASE $by
            WHEN 'customer' THEN l.customer_id
            WHEN 'region' THEN l.region
            WHEN 'salesperson' THEN l.salesperson
            WHEN 'collector' THEN l.collector
            WHEN 'segment' THEN l.segment
            WHEN 'currency' THEN COALESCE($reporting_currency, l.currency)
            ELSE 'all'
        END AS group_key,
        CASE WHEN $by = 'customer' THEN l.customer_name END AS customer_name,
        COALESCE($reporting_currency, l.currency) AS report_currency,
        CASE
            WHEN $reporting_currency IS NULL OR l.currency IS NULL
                OR l.currency = $reporting_currency THEN l.open_amount
            ELSE CAST(ROUND(l.open_amount * f.factor, 2) AS DECIMAL(18, 2))
        END AS value,
        CASE WHEN $basis = 'invoice_date' THEN l.days_outstanding ELSE l.days_past_due END AS age,
        l.days_past_due,
        l.disputed
    FROM aging_lines AS l
    LEFT JOIN fx_factors AS f ON f.currency = l.currency
),
balances AS (
    SELECT
        CASE $by
            WHEN 'customer' THEN b.customer_id
            WHEN 'region' THEN b.region
            WHEN 'salesperson' THEN b.salesperson
            WHEN 'collector' THEN b.collector
            WHEN 'segment' THEN b.segment
            WHEN 'currency' THEN COALESCE($reporting_currency, b.currency)
            ELSE 'all'
        END AS group_key,
        CASE WHEN $by = 'customer' THEN b.customer_name END AS customer_name,
        COALESCE($reporting_currency, b.currency) AS report_currency,
        b.unapplied_cash,
        b.credit_balance,
        CASE
            WHEN $reporting_currency IS NULL OR b.currency IS NULL
                OR b.currency = $reporting_currency THEN 1.0
            ELSE f.factor
        END AS factor
    FROM customer_balances AS b
    LEFT JOIN fx_factors AS f ON f.currency = b.currency
),
-- A single pass over the lines (every line falls in exactly one bucket): the
-- per-bucket sums carry the other measures, which are then added up per group.
bucket_sums AS (
    SELECT
        l.group_key,
        MAX(l.customer_name) AS customer_name,
        l.report_currency,
        b.bucket AS measure,
        b.bucket_order AS measure_order,
        SUM(l.value) AS amount,
        SUM(CASE WHEN l.days_past_due > 0 THEN l.value ELSE 0 END) AS overdue,
        SUM(CASE WHEN l.days_past_due > 90 THEN l.value ELSE 0 END) AS over_90,
        SUM(CASE WHEN l.disputed THEN l.value ELSE 0 END) AS disputed,
        COUNT(*) AS lines
    FROM lines AS l
    JOIN aging_buckets AS b ON l.age BETWEEN b.low AND b.high
    GROUP BY l.group_key, l.report_currency, b.bucket, b.bucket_order
),
line_sums AS (
    SELECT
        group_key,
        MAX(customer_name) AS customer_name,
        report_currency,
        SUM(amount) AS total,
        SUM(overdue) AS overdue,
        SUM(over_90) AS over_90,
        SUM(disputed) AS disputed,
        SUM(lines) AS lines
    FROM bucket_sums
    GROUP BY group_key, report_currency
),
balance_sums AS (
    SELECT
        group_key,
        MAX(customer_name) AS customer_name,
        report_currency,
        SUM(CAST(ROUND(unapplied_cash * factor, 2) AS DECIMAL(18, 2))) AS unapplied_cash,
        SUM(CAST(ROUND(credit_balance * factor, 2) AS DECIMAL(18, 2))) AS credit_balance
    FROM balances
    GROUP BY group_key, report_currency
),
measures AS (
    SELECT group_key, customer_name, report_currency, measure, measure_order, amount, lines
    FROM bucket_sums
    UNION ALL
    SELECT group_key, customer_name, report_currency, 'total', 100, total, lines FROM line_sums
    UNION ALL
    SELECT group_key, customer_name, report_currency, 'overdue', 101, overdue, 0 FROM line_sums
    UNION ALL
    SELECT group_key, customer_name, report_currency, 'over_90', 102, over_90, 0 FROM line_sums
    UNION ALL
    SELECT group_key, customer_name, report_currency, 'disputed', 103, disputed, 0 FROM line_sums
    UNION ALL
    SELECT group_key, customer_name, report_currency, 'unapplied_cash', 104, unapplied_cash, 0
    FROM balance_sums
    UNION ALL
    SELECT group_key, customer_name, report_currency, 'credit_balance', 105, credit_balance, 0
    FROM balance_sums
)
SELECT
    COALESCE(group_key, '(none)') AS group_key,
    MAX(customer_name) AS customer_name,
    report_currency AS currency,
    measure,
    measure_order,
    CAST(SUM(amount) AS DECIMAL(18, 2)) AS amount,
    SUM(lines) AS lines
FROM measures
GROUP BY COALESCE(group_key, '(none)'), report_currency, measure, measure_order
