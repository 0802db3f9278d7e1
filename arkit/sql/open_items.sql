-- inputs: receivable_status
-- Open items as of $as_of: one row per invoice or debit note issued on or before
-- $as_of with a positive open amount (amount - applied, see receivable_status.sql).
-- An overpaid invoice (applied > amount) is not an open item: its excess is the
-- customer's credit balance in customer_balances.sql.
--
-- days_past_due  = $as_of - due_date   (0 = due today, negative = not yet due)
-- days_outstanding = $as_of - invoice_date
-- disputed: the invoice carries the disputed flag, or a dispute on it is open on
--   $as_of (opened on or before, not closed on or before).
-- currency: the document's currency, else the customer's.
-- salesperson: the invoice's, else the customer's.
WITH open_disputes AS (
    SELECT DISTINCT invoice_id
    FROM disputes
    WHERE opened_date <= CAST($as_of AS DATE)
      AND (closed_date IS NULL OR closed_date > CAST($as_of AS DATE))
)
SELECT
    s.invoice_id,
    s.customer_id,
    c.customer_name,
    s.doc_type,
    s.invoice_date,
    s.due_date,
    COALESCE(s.currency, c.currency) AS currency,
    s.amount,
    s.applied,
    s.open_amount,
    DATE_DIFF('day', s.due_date, CAST($as_of AS DATE)) AS days_past_due,
    DATE_DIFF('day', s.invoice_date, CAST($as_of AS DATE)) AS days_outstanding,
    (s.disputed OR d.invoice_id IS NOT NULL) AS disputed,
    c.segment,
    c.region,
    COALESCE(s.salesperson, c.salesperson) AS salesperson,
    c.collector
FROM receivable_status AS s
LEFT JOIN customers AS c ON c.customer_id = s.customer_id
LEFT JOIN open_disputes AS d ON d.invoice_id = s.invoice_id
WHERE s.open_amount > 0
