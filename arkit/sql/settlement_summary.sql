-- inputs: settlements
-- Payment speed of invoices paid in ($paid_after, $as_of], per customer ($by = 'customer')
-- or overall ($by = 'all'), in each invoice's currency.
--
-- avg_days_to_pay / avg_days_late: simple means over invoices;
-- weighted_days_to_pay / weighted_days_late: means weighted by invoice amount,
-- sum(amount * days) / sum(amount); share_paid_late: invoices paid after their due
-- date / invoices paid. days_late is signed (early payment counts negative).
SELECT
    CASE WHEN $by = 'customer' THEN customer_id ELSE 'all' END AS group_key,
    currency,
    COUNT(*) AS invoices_paid,
    CAST(SUM(amount) AS DECIMAL(18, 2)) AS amount_paid,
    AVG(CAST(days_to_pay AS DOUBLE)) AS avg_days_to_pay,
    SUM(amount * days_to_pay) / SUM(amount) AS weighted_days_to_pay,
    AVG(CAST(days_late AS DOUBLE)) AS avg_days_late,
    SUM(amount * days_late) / SUM(amount) AS weighted_days_late,
    AVG(CASE WHEN days_late > 0 THEN 1.0 ELSE 0.0 END) AS share_paid_late
FROM settlements
GROUP BY CASE WHEN $by = 'customer' THEN customer_id ELSE 'all' END, currency
