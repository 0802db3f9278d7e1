-- inputs: documents, fx_factors
-- Credit sales per period, for DSO, best possible DSO and CEI. Reads the small
-- table periods(period_start, period_end).
--
-- Credit sales = invoices + debit notes - credit notes dated in the period (credit
-- notes are negative, so a plain sum), in the reporting currency at the $as_of
-- rates. Write-offs are not sales and are excluded. Documents dated after $as_of
-- are not counted.
WITH docs AS (
    SELECT
        i.invoice_date,
        COALESCE(i.currency, c.currency) AS currency,
        i.amount,
        i.doc_type
    FROM documents AS i
    LEFT JOIN customers AS c ON c.customer_id = i.customer_id
    WHERE i.invoice_date <= CAST($as_of AS DATE)
),
converted AS (
    SELECT
        d.invoice_date,
        COALESCE($reporting_currency, d.currency) AS report_currency,
        CASE
            WHEN $reporting_currency IS NULL OR d.currency IS NULL
                OR d.currency = $reporting_currency THEN d.amount
            ELSE CAST(ROUND(d.amount * f.factor, 2) AS DECIMAL(18, 2))
        END AS value
    FROM docs AS d
    LEFT JOIN fx_factors AS f ON f.currency = d.currency
    WHERE d.doc_type IN ('invoice', 'debit_note', 'credit_note')
)
SELECT
    p.period_end,
    c.report_currency AS currency,
    CAST(SUM(c.value) AS DECIMAL(18, 2)) AS credit_sales
FROM periods AS p
JOIN converted AS c ON c.invoice_date BETWEEN p.period_start AND p.period_end
GROUP BY p.period_end, c.report_currency
