-- inputs: ledger_positions
-- Receivable status as of $as_of: one row per invoice or debit note issued on or
-- before $as_of, with what has been applied to it by then.
--
-- Rules (docs/aging.md has the glossary):
-- * Applied = payments dated on or before $as_of whose invoice_id is this document
--   (a negative payment is a reversal and reduces it) + credit notes and write-offs
--   dated on or before $as_of whose reference_invoice_id is this document (their
--   amounts are negative, so they are subtracted); see ledger_positions.sql.
-- * A missing due date is treated as the invoice date (due on issue).
-- * Payments are assumed to be in the currency of the invoice they settle.
-- Unapplied cash and unreferenced credits are not lost: see customer_balances.sql.
SELECT
    invoice_id,
    customer_id,
    doc_type,
    invoice_date,
    COALESCE(due_date, invoice_date) AS due_date,
    currency,
    salesperson,
    COALESCE(disputed, FALSE) AS disputed,
    amount,
    CAST(COALESCE(cash, 0) + COALESCE(credit, 0) AS DECIMAL(18, 2)) AS applied,
    CAST(amount - COALESCE(cash, 0) - COALESCE(credit, 0) AS DECIMAL(18, 2)) AS open_amount
FROM ledger_positions
WHERE invoice_id IS NOT NULL
