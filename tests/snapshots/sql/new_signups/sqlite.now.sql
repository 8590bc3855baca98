SELECT
  e.customer_id
FROM analytics.customers AS e
WHERE
  e.signup_at >= DATETIME(DATETIME('now'), '-30 days')
  AND e.signup_at <= DATETIME('now')
