SELECT
  e.customer_id
FROM analytics.customers AS e
WHERE
  e.signup_at >= CAST('2026-05-31 00:00:00' AS TIMESTAMP)
  AND e.signup_at <= CAST('2026-06-30 00:00:00' AS TIMESTAMP)
