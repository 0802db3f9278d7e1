-- The invoices table with every document's type known: a document without doc_type
-- is an invoice, or a credit note when its amount is negative (the sign convention
-- of arkit/_schema.py). Every transform that reads invoices by type reads this.
SELECT
    invoice_id,
    customer_id,
    invoice_date,
    amount,
    due_date,
    currency,
    CASE
        WHEN doc_type IS NOT NULL THEN doc_type
        WHEN amount < 0 THEN 'credit_note'
        ELSE 'invoice'
    END AS doc_type,
    reference_invoice_id,
    salesperson,
    disputed,
    po_number
FROM invoices
