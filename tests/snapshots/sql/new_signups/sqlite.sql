SELECT
  e.customer_id
FROM analytics.customers AS e
WHERE
  e.signup_at >= DATETIME('2026-05-31 00:00:00')
  AND e.signup_at <= DATETIME('2026-06-30 00:00:00')
