SELECT
  e.customer_id AS customer_id
FROM analytics.customers AS e
WHERE
  e.signup_at < CAST('2025-01-01 00:00:00' AS Nullable(DateTime64))
