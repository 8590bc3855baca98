SELECT
  e.customer_id
FROM analytics.customers e
WHERE
  LOWER(e.email) LIKE '%@gmail.com' ESCAPE '\'
