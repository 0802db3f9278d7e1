-- inputs: receivable_status
-- Customer balances as of $as_of that are not open invoices, one row per customer
-- (and currency) that has any. All amounts are positive = owed to the customer.
--
-- unapplied_cash: payments dated on or before $as_of with no invoice_id, or whose
--   invoice_id is not an invoice/debit note issued on or before $as_of (cash on
--   account; a negative payment is a reversal and reduces it).
-- unreferenced_credits: credit notes and write-offs dated on or before $as_of with
--   no reference_invoice_id, or one that is not an invoice/debit note issued on or
--   before $as_of.
-- overpayments: for invoices applied beyond their amount, applied - amount.
-- credit_balance = unreferenced_credits + overpayments.
-- currency: the document's currency, else the customer's.
WITH receivable_ids AS (
    SELECT invoice_id FROM receivable_status
),
cash AS (
    SELECT p.customer_id, p.currency, p.amount
    FROM payments AS p
    LEFT JOIN receivable_ids AS r ON r.invoice_id = p.invoice_id
    WHERE p.payment_date <= CAST($as_of AS DATE)
      AND r.invoice_id IS NULL
),
credits AS (
    SELECT i.customer_id, i.currency, -i.amount AS amount
    FROM invoices AS i
    LEFT JOIN receivable_ids AS r ON r.invoice_id = i.reference_invoice_id
    WHERE i.invoice_date <= CAST($as_of AS DATE)
      AND (i.doc_type IN ('credit_note', 'write_off') OR (i.doc_type IS NULL AND i.amount < 0))
      AND r.invoice_id IS NULL
),
overpaid AS (
    SELECT customer_id, currency, applied - amount AS amount
    FROM receivable_status
    WHERE open_amount < 0
),
movements AS (
    SELECT customer_id, currency, amount AS unapplied_cash,
           CAST(0 AS DECIMAL(18, 2)) AS unreferenced_credits,
           CAST(0 AS DECIMAL(18, 2)) AS overpayments
    FROM cash
    UNION ALL
    SELECT customer_id, currency, 0, amount, 0 FROM credits
    UNION ALL
    SELECT customer_id, currency, 0, 0, amount FROM overpaid
),
totals AS (
    SELECT
        m.customer_id,
        COALESCE(m.currency, c.currency) AS currency,
        SUM(m.unapplied_cash) AS unapplied_cash,
        SUM(m.unreferenced_credits) AS unreferenced_credits,
        SUM(m.overpayments) AS overpayments
    FROM movements AS m
    LEFT JOIN customers AS c ON c.customer_id = m.customer_id
    GROUP BY m.customer_id, COALESCE(m.currency, c.currency)
)
SELECT
    t.customer_id,
    c.customer_name,
    t.currency,
    CAST(t.unapplied_cash AS DECIMAL(18, 2)) AS unapplied_cash,
    CAST(t.unreferenced_credits AS DECIMAL(18, 2)) AS unreferenced_credits,
    CAST(t.overpayments AS DECIMAL(18, 2)) AS overpayments,
    CAST(t.unreferenced_credits + t.overpayments AS DECIMAL(18, 2)) AS credit_balance,
    c.segment,
    c.region,
    c.salesperson,
    c.collector
FROM totals AS t
LEFT JOIN customers AS c ON c.customer_id = t.customer_id
WHERE t.unapplied_cash <> 0 OR t.unreferenced_credits <> 0 OR t.overpayments <> 0
