SELECT
  e.customer_id
FROM analytics.customers e
WHERE
  e.country IN ('DE', 'AT', 'CH')
