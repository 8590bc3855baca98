SELECT
  e.customer_id
FROM analytics.customers AS e
WHERE
  e.signup_at >= (
    CAST('2026-06-30 00:00:00' AS TIMESTAMP) - INTERVAL '30' DAY
  )
  AND e.signup_at <= CAST('2026-06-30 00:00:00' AS TIMESTAMP)
