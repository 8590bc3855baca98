SELECT
  e.customer_id AS customer_id
FROM analytics.customers AS e
WHERE
  e.country IN ('DE', 'AT', 'CH')
