-- inputs: open_items
-- Aging lines as of $as_of: the open items, split into instalments when the invoice
-- has a payment schedule (per-instalment aging).
--
-- What has been applied to an invoice settles its instalments in instalment order
-- (first instalment first). The last instalment absorbs any difference between the
-- schedule and the invoice amount, so the lines of an invoice always add up to its
-- open amount. Invoices without a schedule are one line (instalment NULL).
-- days_past_due is counted from the line's due date; days_outstanding from the
-- invoice date.
WITH schedule AS (
    SELECT
        s.invoice_id,
        s.instalment,
        s.due_date,
        o.amount AS invoice_amount,
        o.applied,
        SUM(s.amount) OVER (
            PARTITION BY s.invoice_id ORDER BY s.instalment
            ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
        ) AS amount_through,
        ROW_NUMBER() OVER (PARTITION BY s.invoice_id ORDER BY s.instalment) AS position,
        ROW_NUMBER() OVER (PARTITION BY s.invoice_id ORDER BY s.instalment DESC) AS from_last
    FROM payment_schedule AS s
    JOIN open_items AS o ON o.invoice_id = s.invoice_id
),
ranges AS (
    -- Instalment k covers the slice (lower, upper] of the invoice amount; applied
    -- money covers (0, applied]. A net reversal (applied < 0) reopens the first one.
    SELECT
        invoice_id,
        instalment,
        due_date,
        applied,
        CASE
            WHEN position = 1 THEN LEAST(applied, 0)
            ELSE LEAST(LAG(amount_through) OVER (
                PARTITION BY invoice_id ORDER BY instalment
            ), invoice_amount)
        END AS lower_bound,
        CASE
            WHEN from_last = 1 THEN invoice_amount
            ELSE LEAST(amount_through, invoice_amount)
        END AS upper_bound
    FROM schedule
),
instalment_lines AS (
    SELECT
        invoice_id,
        instalment,
        due_date,
        CAST(upper_bound - GREATEST(lower_bound, applied) AS DECIMAL(18, 2)) AS open_amount
    FROM ranges
    WHERE upper_bound - GREATEST(lower_bound, applied) > 0
)
SELECT
    o.invoice_id,
    l.instalment,
    o.customer_id,
    o.customer_name,
    o.doc_type,
    o.invoice_date,
    COALESCE(l.due_date, o.due_date) AS due_date,
    o.currency,
    COALESCE(l.open_amount, o.open_amount) AS open_amount,
    DATE_DIFF('day', COALESCE(l.due_date, o.due_date), CAST($as_of AS DATE)) AS days_past_due,
    o.days_outstanding,
    o.disputed,
    o.segment,
    o.region,
    o.salesperson,
    o.collector
FROM open_items AS o
LEFT JOIN instalment_lines AS l ON l.invoice_id = o.invoice_id
WHERE l.invoice_id IS NOT NULL
   OR NOT EXISTS (SELECT 1 FROM payment_schedule AS s WHERE s.invoice_id = o.invoice_id)
