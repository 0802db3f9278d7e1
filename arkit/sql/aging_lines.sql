-- inputs: open_items, instalment_ranges
-- Aging lines as of $as_of: the open items, split into instalments when the invoice
-- has a payment schedule (per-instalment aging).
--
-- What has been applied to an invoice settles its instalments in order
-- (instalment_ranges.sql), so the lines of an invoice always add up to its open
-- amount. Invoices without a schedule are one line (instalment NULL).
-- days_past_due is counted from the line's due date; days_outstanding from the
-- invoice date.
WITH instalment_lines AS (
    SELECT
        r.invoice_id,
        r.instalment,
        r.due_date,
        CAST(
            r.upper_bound - GREATEST(COALESCE(r.lower_bound, o.applied), o.applied)
            AS DECIMAL(18, 2)
        ) AS open_amount
    FROM instalment_ranges AS r
    JOIN open_items AS o ON o.invoice_id = r.invoice_id
    WHERE r.upper_bound - GREATEST(COALESCE(r.lower_bound, o.applied), o.applied) > 0
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
