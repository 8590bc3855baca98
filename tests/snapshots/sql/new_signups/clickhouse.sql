SELECT
  e.customer_id AS customer_id
FROM analytics.customers AS e
WHERE
  e.signup_at >= DATE_ADD(DAY, -30, CAST('2026-06-30 00:00:00' AS Nullable(DateTime64)))
  AND e.signup_at <= CAST('2026-06-30 00:00:00' AS Nullable(DateTime64))
