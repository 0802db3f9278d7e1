-- inputs: aging_lines
-- Invoice-level drill-down: the aging lines (see aging_lines.sql) of the customers
-- listed in the small table selected_customers(customer_id), as of $as_of.
SELECT l.*
FROM aging_lines AS l
JOIN selected_customers AS s ON s.customer_id = l.customer_id
