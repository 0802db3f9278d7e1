-- inputs: documents, fx_factors, instalment_ranges
-- Aging at many period ends in one pass, in long form: one row per period end,
-- currency and measure. Reads the small tables period_ends(period_end) and
-- aging_buckets(bucket_order, bucket, low, high).
--
-- Each invoice's open amount is a step function of time: it starts at the invoice
-- amount on the invoice date and changes on each date a payment, credit note or
-- write-off is applied (the same rules as receivable_status.sql; events dated before
-- the invoice count from its invoice date). The steps are joined to the period ends
-- with a range condition, so an invoice is in the snapshot of period end m exactly
-- when it is issued by m and still open at m - the same answer as open_items.sql
-- with $as_of = m. An invoice with a payment schedule is split into instalments at
-- each step with instalment_ranges.sql, as in aging_lines.sql (applied money settles instalments in
-- order, the last absorbs any difference), so the last period equals the
-- point-in-time aging. Amounts are converted per line at the $as_of rates (constant
-- currency, see fx_factors.sql). Measures:
-- one per bucket, total, not_due (days past due <= 0), overdue, over_90, disputed
-- (the flag, or a dispute open at the period end, as in open_items.sql).
WITH docs AS (
    SELECT
        invoice_id,
        customer_id,
        invoice_date,
        COALESCE(due_date, invoice_date) AS due_date,
        amount,
        currency,
        reference_invoice_id,
        COALESCE(disputed, FALSE) AS disputed,
        doc_type
    FROM documents
    WHERE invoice_date <= CAST($as_of AS DATE)
),
receivables AS (
    SELECT d.invoice_id, d.invoice_date, d.due_date, d.amount, d.disputed,
           COALESCE(d.currency, c.currency) AS currency
    FROM docs AS d
    LEFT JOIN customers AS c ON c.customer_id = d.customer_id
    WHERE d.doc_type IN ('invoice', 'debit_note')
),
events AS (
    SELECT invoice_id, payment_date AS event_date, amount
    FROM payments
    WHERE invoice_id IS NOT NULL AND payment_date <= CAST($as_of AS DATE)
    UNION ALL
    SELECT reference_invoice_id, invoice_date, -amount
    FROM docs
    WHERE doc_type IN ('credit_note', 'write_off') AND reference_invoice_id IS NOT NULL
),
event_totals AS (
    SELECT invoice_id, SUM(amount) AS applied, MAX(event_date) AS last_event
    FROM events
    GROUP BY invoice_id
),
candidates AS (
    -- An invoice settled before the first period end with no later event is in no
    -- snapshot: leaving it out spares the step computation below most of the ledger.
    SELECT r.invoice_id, r.invoice_date
    FROM receivables AS r
    LEFT JOIN event_totals AS t ON t.invoice_id = r.invoice_id
    WHERE t.invoice_id IS NULL
       OR r.amount - t.applied > 0
       OR t.last_event > (SELECT MIN(period_end) FROM period_ends)
),
changes AS (
    SELECT c.invoice_id, GREATEST(e.event_date, c.invoice_date) AS change_date, e.amount
    FROM candidates AS c
    JOIN events AS e ON e.invoice_id = c.invoice_id
    UNION ALL
    SELECT invoice_id, invoice_date, 0
    FROM candidates
),
daily AS (
    SELECT invoice_id, change_date, SUM(amount) AS applied_that_day
    FROM changes
    GROUP BY invoice_id, change_date
),
steps AS (
    SELECT
        invoice_id,
        change_date AS valid_from,
        COALESCE(
            LEAD(change_date) OVER (PARTITION BY invoice_id ORDER BY change_date),
            DATE '9999-12-31'
        ) AS valid_until,
        SUM(applied_that_day) OVER (
            PARTITION BY invoice_id ORDER BY change_date
            ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
        ) AS applied
    FROM daily
),
open_steps AS (
    SELECT
        s.invoice_id,
        s.valid_from,
        s.valid_until,
        s.applied,
        r.amount - s.applied AS open_amount,
        r.invoice_date,
        r.due_date,
        r.disputed,
        r.currency,
        f.factor
    FROM steps AS s
    JOIN receivables AS r ON r.invoice_id = s.invoice_id
    LEFT JOIN fx_factors AS f ON f.currency = r.currency
    WHERE r.amount - s.applied > 0
      -- steps that ended before the first period end cannot be in any snapshot
      AND s.valid_until > (SELECT MIN(period_end) FROM period_ends)
),
open_lines AS (
    SELECT
        o.invoice_id,
        o.valid_from,
        o.valid_until,
        o.invoice_date,
        COALESCE(i.due_date, o.due_date) AS due_date,
        o.disputed,
        COALESCE($reporting_currency, o.currency) AS report_currency,
        o.currency,
        o.factor,
        COALESCE(
            i.upper_bound - GREATEST(COALESCE(i.lower_bound, o.applied), o.applied),
            o.open_amount
        ) AS open_amount
    FROM open_steps AS o
    LEFT JOIN instalment_ranges AS i ON i.invoice_id = o.invoice_id
),
open_values AS (
    SELECT
        invoice_id,
        valid_from,
        valid_until,
        invoice_date,
        due_date,
        disputed,
        report_currency,
        CASE
            WHEN $reporting_currency IS NULL OR currency IS NULL
                OR currency = $reporting_currency THEN CAST(open_amount AS DECIMAL(18, 2))
            ELSE CAST(ROUND(open_amount * factor, 2) AS DECIMAL(18, 2))
        END AS value
    FROM open_lines
    -- instalments already settled at this step are not lines
    WHERE open_amount > 0
),
disputed_at AS (
    -- (period end, invoice) pairs with a dispute open at that period end
    SELECT DISTINCT p.period_end, d.invoice_id
    FROM period_ends AS p
    JOIN disputes AS d
      ON d.opened_date <= p.period_end
     AND (d.closed_date IS NULL OR d.closed_date > p.period_end)
),
snapshot AS (
    SELECT
        p.period_end,
        o.report_currency,
        o.value,
        (o.disputed OR d.invoice_id IS NOT NULL) AS disputed,
        DATE_DIFF('day', o.due_date, p.period_end) AS days_past_due,
        CASE
            WHEN $basis = 'invoice_date' THEN DATE_DIFF('day', o.invoice_date, p.period_end)
            ELSE DATE_DIFF('day', o.due_date, p.period_end)
        END AS age
    FROM period_ends AS p
    JOIN open_values AS o
      ON o.valid_from <= p.period_end AND o.valid_until > p.period_end
    LEFT JOIN disputed_at AS d
      ON d.period_end = p.period_end AND d.invoice_id = o.invoice_id
),
-- A single pass over the snapshot (every line falls in exactly one bucket): the
-- per-bucket sums carry the other measures, which are then added up per period.
bucket_sums AS (
    SELECT
        s.period_end,
        s.report_currency,
        b.bucket,
        b.bucket_order,
        SUM(s.value) AS amount,
        SUM(CASE WHEN s.days_past_due <= 0 THEN s.value ELSE 0 END) AS not_due,
        SUM(CASE WHEN s.days_past_due > 0 THEN s.value ELSE 0 END) AS overdue,
        SUM(CASE WHEN s.days_past_due > 90 THEN s.value ELSE 0 END) AS over_90,
        SUM(CASE WHEN s.disputed THEN s.value ELSE 0 END) AS disputed,
        COUNT(*) AS lines
    FROM snapshot AS s
    JOIN aging_buckets AS b ON s.age BETWEEN b.low AND b.high
    GROUP BY s.period_end, s.report_currency, b.bucket, b.bucket_order
),
period_sums AS (
    SELECT
        period_end,
        report_currency,
        SUM(amount) AS total,
        SUM(not_due) AS not_due,
        SUM(overdue) AS overdue,
        SUM(over_90) AS over_90,
        SUM(disputed) AS disputed,
        SUM(lines) AS lines
    FROM bucket_sums
    GROUP BY period_end, report_currency
),
measures AS (
    SELECT period_end, report_currency, bucket AS measure, bucket_order AS measure_order,
           amount, lines
    FROM bucket_sums
    UNION ALL
    SELECT period_end, report_currency, 'total', 100, total, lines FROM period_sums
    UNION ALL
    -- on the due-date basis not_due is already the first bucket
    SELECT period_end, report_currency, 'not_due', 101, not_due, 0 FROM period_sums
    WHERE $basis = 'invoice_date'
    UNION ALL
    SELECT period_end, report_currency, 'overdue', 102, overdue, 0 FROM period_sums
    UNION ALL
    SELECT period_end, report_currency, 'over_90', 103, over_90, 0 FROM period_sums
    UNION ALL
    SELECT period_end, report_currency, 'disputed', 104, disputed, 0 FROM period_sums
)
SELECT
    period_end,
    report_currency AS currency,
    measure,
    measure_order,
    CAST(amount AS DECIMAL(18, 2)) AS amount,
    lines
FROM measures
