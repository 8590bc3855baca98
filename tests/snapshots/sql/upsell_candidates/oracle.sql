SELECT
  e.customer_id
FROM analytics.customers e
WHERE
  e.plan = 'free' AND e.lifetime_value >= 500
