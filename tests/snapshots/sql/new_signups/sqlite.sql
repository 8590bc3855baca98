SELECT
  e.customer_id
FROM analytics.customers AS e
WHERE
  e.signup_at >= DATETIME(DATETIME('2026-06-30 00:00:00'), '-30 days')
  AND e.signup_at <= DATETIME('2026-06-30 00:00:00')
