SELECT
  e.customer_id
FROM analytics.customers e
WHERE
  e.age >= 65
