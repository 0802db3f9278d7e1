-- Conversion factors to the reporting currency $reporting_currency as of $as_of.
--
-- fx_rates.rate_to_base converts one unit of a currency to the base currency. The
-- rate used is the latest one dated on or before $as_of. A document amount in
-- currency X converts to the reporting currency R as
--     amount * rate_to_base(X) / rate_to_base(R)
-- where R without any rate is taken to be the base currency itself (rate 1).
-- Converted amounts are rounded to the cent per document, before any sum.
WITH dated AS (
    SELECT
        currency,
        rate_to_base,
        ROW_NUMBER() OVER (PARTITION BY currency ORDER BY date DESC) AS recency
    FROM fx_rates
    WHERE date <= CAST($as_of AS DATE)
),
latest AS (
    SELECT currency, CAST(rate_to_base AS DOUBLE) AS rate
    FROM dated
    WHERE recency = 1
),
target AS (
    SELECT COALESCE(MAX(CASE WHEN currency = $reporting_currency THEN rate END), 1.0) AS rate
    FROM latest
)
SELECT l.currency, l.rate / t.rate AS factor
FROM latest AS l
CROSS JOIN target AS t
UNION ALL
SELECT $reporting_currency, 1.0
WHERE NOT EXISTS (SELECT 1 FROM latest WHERE currency = $reporting_currency)
