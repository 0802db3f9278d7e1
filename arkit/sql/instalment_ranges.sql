-- Instalment slices of the invoices that have a payment schedule.
--
-- Instalment k covers the slice (lower_bound, upper_bound] of the invoice amount, and
-- money applied to the invoice settles the slices in instalment order (first
-- instalment first). The first slice has no lower bound (NULL), so a net reversal
-- (applied < 0) reopens it; the last slice ends at the invoice amount, so it absorbs
-- any difference between the schedule and the invoice. Once `applied` has been
-- applied, the open amount of an instalment is
--     upper_bound - GREATEST(COALESCE(lower_bound, applied), applied)
-- and the open amounts of an invoice's instalments add up to its open amount.
-- Read by aging_lines.sql (as of a date) and aging_history.sql (at every period end).
WITH schedule AS (
    SELECT
        s.invoice_id,
        s.instalment,
        s.due_date,
        i.amount AS invoice_amount,
        SUM(s.amount) OVER (
            PARTITION BY s.invoice_id ORDER BY s.instalment
            ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
        ) AS amount_through,
        ROW_NUMBER() OVER (PARTITION BY s.invoice_id ORDER BY s.instalment) AS position,
        ROW_NUMBER() OVER (PARTITION BY s.invoice_id ORDER BY s.instalment DESC) AS from_last
    FROM payment_schedule AS s
    JOIN invoices AS i ON i.invoice_id = s.invoice_id
)
SELECT
    invoice_id,
    instalment,
    due_date,
    CASE
        WHEN position = 1 THEN NULL
        ELSE LEAST(LAG(amount_through) OVER (
            PARTITION BY invoice_id ORDER BY instalment
        ), invoice_amount)
    END AS lower_bound,
    CASE
        WHEN from_last = 1 THEN invoice_amount
        ELSE LEAST(amount_through, invoice_amount)
    END AS upper_bound
FROM schedule
