-- inputs: documents, fx_factors
-- At-risk rate per invoicing month: of the invoices and debit notes issued in a
-- period, the share of the amount still unpaid $horizon_days days after each one's
-- invoice date. Reads the small table periods(period_start, period_end); only
-- periods whose last invoice has reached the horizon by $as_of are meaningful (the
-- caller passes those). Settling events are those of receivable_status.sql dated
-- within the horizon; an overpaid invoice counts as 0 unpaid.
WITH docs AS (
    SELECT
        i.invoice_id,
        i.invoice_date,
        i.amount,
        i.reference_invoice_id,
        COALESCE(i.currency, c.currency) AS currency,
        i.doc_type
    FROM documents AS i
    LEFT JOIN customers AS c ON c.customer_id = i.customer_id
),
issued AS (
    SELECT p.period_end, d.invoice_id, d.invoice_date, d.amount, d.currency
    FROM periods AS p
    JOIN docs AS d ON d.invoice_date BETWEEN p.period_start AND p.period_end
    WHERE d.doc_type IN ('invoice', 'debit_note')
),
events AS (
    SELECT invoice_id, payment_date AS event_date, amount
    FROM payments
    WHERE invoice_id IS NOT NULL
    UNION ALL
    SELECT reference_invoice_id, invoice_date, -amount
    FROM docs
    WHERE doc_type IN ('credit_note', 'write_off') AND reference_invoice_id IS NOT NULL
),
settled AS (
    SELECT i.invoice_id, SUM(e.amount) AS applied
    FROM issued AS i
    JOIN events AS e ON e.invoice_id = i.invoice_id
    WHERE DATE_DIFF('day', i.invoice_date, e.event_date) <= $horizon_days
    GROUP BY i.invoice_id
),
unpaid AS (
    SELECT
        i.period_end,
        COALESCE($reporting_currency, i.currency) AS report_currency,
        i.amount AS invoiced,
        GREATEST(i.amount - COALESCE(s.applied, 0), 0) AS unpaid,
        CASE
            WHEN $reporting_currency IS NULL OR i.currency IS NULL
                OR i.currency = $reporting_currency THEN 1.0
            ELSE f.factor
        END AS factor
    FROM issued AS i
    LEFT JOIN settled AS s ON s.invoice_id = i.invoice_id
    LEFT JOIN fx_factors AS f ON f.currency = i.currency
)
SELECT
    period_end,
    report_currency AS currency,
    CAST(SUM(ROUND(invoiced * factor, 2)) AS DECIMAL(18, 2)) AS invoiced,
    CAST(SUM(ROUND(unpaid * factor, 2)) AS DECIMAL(18, 2)) AS unpaid_after_horizon
FROM unpaid
GROUP BY period_end, report_currency
