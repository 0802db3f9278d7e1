-- inputs: documents
-- Settlements: one row per invoice or debit note fully settled on or before $as_of
-- ($as_of NULL = everything in the ledger), and after $paid_after (NULL = ever).
--
-- Settling events are payments applied to the invoice and credit notes / write-offs
-- referencing it (see receivable_status.sql), dated on or before $as_of.
-- paid_date: the first date from which the cumulative settled amount stays at or
--   above the invoice amount (a reversal that reopens the invoice moves it later).
-- days_to_pay = paid_date - invoice_date
-- days_late   = paid_date - due_date (negative = paid early; missing due date =
--   invoice date). days_late_clipped = max(days_late, 0).
-- settled_by_credit: the settled amount includes credit notes or write-offs.
-- Amount-weighted averages weight each invoice by its amount (settlement_summary.sql).
WITH docs AS (
    SELECT
        invoice_id,
        customer_id,
        invoice_date,
        COALESCE(due_date, invoice_date) AS due_date,
        amount,
        currency,
        reference_invoice_id,
        doc_type
    FROM documents
    WHERE $as_of IS NULL OR invoice_date <= CAST($as_of AS DATE)
),
events AS (
    SELECT p.invoice_id, p.payment_date AS event_date, p.amount, 0 AS is_credit
    FROM payments AS p
    WHERE p.invoice_id IS NOT NULL
      AND ($as_of IS NULL OR p.payment_date <= CAST($as_of AS DATE))
    UNION ALL
    SELECT d.reference_invoice_id, d.invoice_date, -d.amount, 1
    FROM docs AS d
    WHERE d.doc_type IN ('credit_note', 'write_off')
      AND d.reference_invoice_id IS NOT NULL
),
receivables AS (
    SELECT *
    FROM docs
    WHERE doc_type IN ('invoice', 'debit_note')
      -- paid after $paid_after means some settling event after it
      AND ($paid_after IS NULL OR invoice_id IN (
          SELECT invoice_id FROM events WHERE event_date > CAST($paid_after AS DATE)
      ))
),
daily AS (
    SELECT r.invoice_id, r.amount AS invoice_amount, e.event_date,
           SUM(e.amount) AS settled, MAX(e.is_credit) AS has_credit
    FROM receivables AS r
    JOIN events AS e ON e.invoice_id = r.invoice_id
    GROUP BY r.invoice_id, r.amount, e.event_date
),
running AS (
    SELECT
        invoice_id,
        invoice_amount,
        event_date,
        has_credit,
        SUM(settled) OVER (
            PARTITION BY invoice_id ORDER BY event_date
            ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
        ) AS cumulative
    FROM daily
),
per_invoice AS (
    SELECT
        invoice_id,
        MAX(CASE WHEN cumulative < invoice_amount THEN event_date END) AS last_short_date,
        MAX(has_credit) AS has_credit
    FROM running
    GROUP BY invoice_id
),
paid AS (
    SELECT r.invoice_id, MIN(r.event_date) AS paid_date
    FROM running AS r
    JOIN per_invoice AS p ON p.invoice_id = r.invoice_id
    WHERE r.cumulative >= r.invoice_amount
      AND (p.last_short_date IS NULL OR r.event_date > p.last_short_date)
    GROUP BY r.invoice_id
)
SELECT
    r.invoice_id,
    r.customer_id,
    r.doc_type,
    r.invoice_date,
    r.due_date,
    r.currency,
    r.amount,
    p.paid_date,
    DATE_DIFF('day', r.invoice_date, p.paid_date) AS days_to_pay,
    DATE_DIFF('day', r.due_date, p.paid_date) AS days_late,
    GREATEST(DATE_DIFF('day', r.due_date, p.paid_date), 0) AS days_late_clipped,
    (pi.has_credit = 1) AS settled_by_credit
FROM receivables AS r
JOIN paid AS p ON p.invoice_id = r.invoice_id
JOIN per_invoice AS pi ON pi.invoice_id = r.invoice_id
WHERE $paid_after IS NULL OR p.paid_date > CAST($paid_after AS DATE)
