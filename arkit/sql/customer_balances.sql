-- inputs: ledger_positions
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
WITH orphan_targets AS (
    -- invoice ids that received money or credit but are no receivable by $as_of
    -- (few): a small build side for the semi-joins below
    SELECT orphan_id FROM ledger_positions WHERE invoice_id IS NULL AND orphan_id IS NOT NULL
),
cash AS (
    SELECT customer_id, currency, amount
    FROM payments
    WHERE payment_date <= CAST($as_of AS DATE)
      AND (invoice_id IS NULL OR invoice_id IN (SELECT orphan_id FROM orphan_targets))
),
credits AS (
    SELECT customer_id, currency, -amount AS amount
    FROM invoices
    WHERE invoice_date <= CAST($as_of AS DATE)
      AND (doc_type IN ('credit_note', 'write_off') OR (doc_type IS NULL AND amount < 0))
      AND (reference_invoice_id IS NULL
           OR reference_invoice_id IN (SELECT orphan_id FROM orphan_targets))
),
overpaid AS (
    -- read from the positions, not receivable_status, so that the engine streams
    -- receivable_status into the open items instead of holding all of it
    SELECT customer_id, currency, COALESCE(cash, 0) + COALESCE(credit, 0) - amount AS amount
    FROM ledger_positions
    WHERE invoice_id IS NOT NULL AND amount - COALESCE(cash, 0) - COALESCE(credit, 0) < 0
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
