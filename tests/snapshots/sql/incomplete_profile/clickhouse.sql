SELECT
  e.customer_id AS customer_id
FROM analytics.customers AS e
WHERE
  e.email IS NULL OR e.country IS NULL OR e.birth_date IS NULL
