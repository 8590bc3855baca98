SELECT
  e.customer_id AS customer_id
FROM analytics.customers AS e
WHERE
  lowerUTF8(e.email) LIKE '%@gmail.com' ESCAPE '\\'
