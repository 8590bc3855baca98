SELECT
  e.customer_id AS customer_id
FROM analytics.customers AS e
WHERE
  e.age >= 65
