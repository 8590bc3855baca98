SELECT
  e.customer_id
FROM analytics.customers AS e
WHERE
  LOWER(e.email) LIKE '%@gmail.com' ESCAPE '\'
