-- inputs: documents
-- Ledger positions as of $as_of: every receivable next to what is applied to it, and
-- every target invoice id that has applications but no receivable, from one join.
--
-- Receivables: invoices and debit notes issued on or before $as_of (a document
-- without doc_type is typed by documents.sql).
-- Applications, summed per target invoice id:
--   cash   = payments dated on or before $as_of (a negative payment is a reversal);
--   credit = credit notes and write-offs dated on or before $as_of, sign flipped
--            (their amounts are negative), targeting their reference_invoice_id.
-- A receivable without applications has NULL cash/credit. A row with a NULL
-- invoice_id is an orphan target (orphan_id; NULL = no target at all): its cash is
-- unapplied and its credit unreferenced (customer_balances.sql finds the payers).
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
        doc_type
    FROM documents
    WHERE invoice_date <= CAST($as_of AS DATE)
),
receivables AS (
    SELECT *
    FROM docs
    WHERE doc_type IN ('invoice', 'debit_note')
),
applications AS (
    SELECT target_id, SUM(cash) AS cash, SUM(credit) AS credit
    FROM (
        SELECT invoice_id AS target_id, amount AS cash, CAST(0 AS DECIMAL(18, 2)) AS credit
        FROM payments
        WHERE payment_date <= CAST($as_of AS DATE)
        UNION ALL
        SELECT reference_invoice_id, CAST(0 AS DECIMAL(18, 2)), -amount
        FROM docs
        WHERE doc_type IN ('credit_note', 'write_off')
    ) AS moves
    GROUP BY target_id
)
SELECT
    r.invoice_id,
    r.customer_id,
    r.doc_type,
    r.invoice_date,
    r.due_date,
    r.currency,
    r.salesperson,
    r.disputed,
    r.amount,
    a.target_id AS orphan_id,
    a.cash,
    a.credit
FROM receivables AS r
FULL OUTER JOIN applications AS a ON a.target_id = r.invoice_id
