-- Receivable status as of $as_of: one row per invoice or debit note issued on or
-- before $as_of, with what has been applied to it by then.
--
-- Rules (docs/aging.md has the glossary):
-- * A document without doc_type is an invoice, or a credit note when its amount is
--   negative (the sign convention of arkit/_schema.py).
-- * Applied = payments dated on or before $as_of whose invoice_id is this document
--   (a negative payment is a reversal and reduces it) + credit notes and write-offs
--   dated on or before $as_of whose reference_invoice_id is this document (their
--   amounts are negative, so they are subtracted).
-- * A missing due date is treated as the invoice date (due on issue).
-- * Payments are assumed to be in the currency of the invoice they settle.
-- Unapplied cash and unreferenced credits are not lost: see customer_balances.sql.
WITH docs AS (
    SELECT
        invoice_id,
        customer_id,
        invoice_date,
        due_date,
        amount,
        currency,
        reference_invoice_id,
        salesperson,
        disputed,
        CASE
            WHEN doc_type IS NOT NULL THEN doc_type
            WHEN amount < 0 THEN 'credit_note'
            ELSE 'invoice'
        END AS doc_type
    FROM invoices
    WHERE invoice_date <= CAST($as_of AS DATE)
),
receivables AS (
    SELECT *
    FROM docs
    WHERE doc_type IN ('invoice', 'debit_note')
),
applications AS (
    SELECT p.invoice_id, p.amount
    FROM payments AS p
    WHERE p.payment_date <= CAST($as_of AS DATE)
      AND p.invoice_id IS NOT NULL
    UNION ALL
    SELECT d.reference_invoice_id AS invoice_id, -d.amount AS amount
    FROM docs AS d
    WHERE d.doc_type IN ('credit_note', 'write_off')
      AND d.reference_invoice_id IS NOT NULL
),
applied AS (
    SELECT invoice_id, SUM(amount) AS applied
    FROM applications
    GROUP BY invoice_id
)
SELECT
    r.invoice_id,
    r.customer_id,
    r.doc_type,
    r.invoice_date,
    COALESCE(r.due_date, r.invoice_date) AS due_date,
    r.currency,
    r.salesperson,
    COALESCE(r.disputed, FALSE) AS disputed,
    r.amount,
    CAST(COALESCE(a.applied, 0) AS DECIMAL(18, 2)) AS applied,
    CAST(r.amount - COALESCE(a.applied, 0) AS DECIMAL(18, 2)) AS open_amount
FROM receivables AS r
LEFT JOIN applied AS a ON a.invoice_id = r.invoice_id
