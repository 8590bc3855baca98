SELECT
  e.customer_id AS customer_id
FROM analytics.customers AS e
WHERE
  e.plan = 'free' AND e.lifetime_value >= 500
